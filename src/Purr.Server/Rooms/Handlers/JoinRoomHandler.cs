using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>
/// Joins with the capability from an invite link (the join secret) and a fresh member key. A wrong
/// secret, a wrong password, an unknown room, an unproven mailbox and a bad signature all answer AUTH.
/// The cheap checks (signature, secret) come first and the password (Argon2id, on the bounded pool) only
/// after them, all before the room's lock is taken: a wrong guess never holds up the room. Only then does a ban
/// count (<see cref="RoomBans"/>): only someone holding the current link learns that their tag is banned.
/// </summary>
internal sealed class JoinRoomHandler(
    RoomRegistry registry, RoomFanOut fanOut, IMailboxDelivery mailboxes, RoomPasswords passwords, RoomJoinLimiter joins, IOptions<RoomOptions> options)
    : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.JoinRoom;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.JoinRoom;
        if (!joins.TryTake(context.Session, out var retryAfter))
        {
            return Responses.RateLimited($"a connection joins at most {options.Value.JoinsPerMinutePerConnection} rooms a minute", retryAfter);
        }

        if (request.MemberKey.Length != Ed25519.PublicKeyBytes || request.MemberDhKey.Length != X25519.KeyBytes)
        {
            return Responses.InvalidArgument("member_key and member_dh_key must be 32 bytes");
        }

        if ((RoomFieldLimits.CheckPassword(request.Password, options.Value) ?? RoomFieldLimits.CheckProfile(request.MemberProfile.Length, options.Value)
            ?? RoomBans.CheckTag(request.JoinTag) ?? RoomFieldLimits.CheckKemKey(request.MemberKemKey)) is { } invalid)
        {
            return Responses.InvalidArgument(invalid);
        }

        var memberKey = request.MemberKey.ToByteArray();
        var signed = RoomLease.VerifySignature(memberKey, context);
        var found = OpaqueId.TryFromBytes(request.RoomId.Span, out var roomId) ? await registry.FindAsync(roomId, cancellationToken) : null;
        var secretMatches = found is { } candidate && ConstantTime.Equal(Blake2b.Hash(request.JoinSecret.Span), candidate.State.JoinSecretHash);
        if (found is null || !signed || !secretMatches)
        {
            return Responses.Auth();
        }

        if (found.Value.State.PasswordHash is { } passwordHash)
        {
            var matches = await passwords.VerifyAsync(context.Session.RemoteAddress, passwordHash, request.Password, cancellationToken);
            if (matches is null)
            {
                return Responses.Error(ErrorCode.RateLimited, "too many room passwords from your address or the server is busy; try again later");
            }

            if (matches == false)
            {
                return Responses.Auth();
            }
        }

        if (found.Value.State.Persistent)
        {
            if (request.MailboxReceiveId.IsEmpty)
            {
                return Responses.InvalidArgument("a persistent room needs the member's mailbox_receive_id");
            }

            if (!await mailboxes.IsProvenAsync(request.MailboxReceiveId, context, cancellationToken))
            {
                return Responses.Auth();
            }
        }

        return await RoomChanges.RetryAsync(() => AttemptAsync(request, roomId, memberKey, context, cancellationToken));
    }

    private async ValueTask<ServerFrame?> AttemptAsync(
        JoinRoom request, OpaqueId roomId, byte[] memberKey, RequestContext context, CancellationToken cancellationToken)
    {
        // The room may have been stopped while the checks ran: then there is no lease.
        await using var lease = await RoomLease.AcquireRoomAsync(registry, roomId, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        var room = lease.State;
        var member = room.Member(memberKey);
        if (member is null)
        {
            if (room.Bans.Count > 0 && request.JoinTag.IsEmpty)
            {
                return Responses.InvalidArgument("this room keeps a ban list: a join must carry a join_tag");
            }

            var tagHash = RoomBans.Hash(room, request.JoinTag);
            if (room.IsBanned(tagHash))
            {
                return Responses.Error(ErrorCode.RoomBanned, "you are banned from this room");
            }

            if (room.Settings.Locked)
            {
                return Responses.Error(ErrorCode.RoomLocked, "the room is locked");
            }

            var limit = room.Settings.MemberLimit is > 0 and var own ? Math.Min(own, options.Value.MaxMembers) : options.Value.MaxMembers;
            if (room.Members.Count >= limit)
            {
                return Responses.Error(ErrorCode.RoomFull, "the room is full");
            }

            member = new RoomMemberData
            {
                MemberKey = memberKey,
                DhKey = request.MemberDhKey.ToByteArray(),
                KemKey = request.MemberKemKey.ToByteArray(),
                Profile = request.MemberProfile.ToByteArray(),
                Role = RoomMemberRole.Member,
                Voice = !room.Settings.Moderated,
                MailboxReceiveId = room.Persistent ? request.MailboxReceiveId.ToByteArray() : null,
                JoinTagHash = tagHash,
            };
            room.Members.Add(member);
            if (!await lease.CommitAsync(cancellationToken))
            {
                return null;
            }

            var others = room.Members.Where(m => m != member).ToList();
            await fanOut.PublishAsync(room, lease.Live, new RoomEvent { Joined = member.ToWire() }, others);
        }

        lease.Live.Attach(memberKey, context.Session);
        var joined = new RoomJoined
        {
            Kind = room.Persistent ? RoomKind.Persistent : RoomKind.Transient,
            Role = (RoomRole)(int)member.Role,
            Settings = room.Settings.ToWire(),
        };
        joined.Members.AddRange(room.Members.Select(m => m.ToWire(registry.Connections.IsConnected(roomId, lease.Live, m.MemberKey))));
        return new ServerFrame { RoomJoined = joined };
    }
}
