using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>
/// Joins with the capability from an invite link (the join secret) and a fresh member key. A wrong
/// secret, a wrong password, an unknown room and a bad signature all answer AUTH.
/// </summary>
internal sealed class JoinRoomHandler(RoomRegistry registry, RoomFanOut fanOut, IMailboxStore mailboxes, IOptions<RoomOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.JoinRoom;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.JoinRoom;
        if (request.MemberKey.Length != Ed25519.PublicKeyBytes || request.MemberDhKey.Length != X25519.KeyBytes)
        {
            return Responses.InvalidArgument("member_key and member_dh_key must be 32 bytes");
        }

        var memberKey = request.MemberKey.ToByteArray();
        var signed = RoomLease.VerifySignature(memberKey, context);
        var found = OpaqueId.TryFromBytes(request.RoomId.Span, out var roomId) ? await registry.FindAsync(roomId, cancellationToken) : null;
        if (found is null || !signed)
        {
            return Responses.Auth();
        }

        var live = found.Value.Live;
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            var current = await registry.FindAsync(roomId, cancellationToken);
            if (current is null || current.Value.Live != live)
            {
                return Responses.Auth();
            }

            var room = current.Value.State;
            var secretMatches = ConstantTime.Equal(Blake2b.Hash(request.JoinSecret.Span), room.JoinSecretHash);
            var passwordMatches = room.PasswordHash is null || Argon2idPasswordHash.Verify(room.PasswordHash, request.Password);
            if (!secretMatches || !passwordMatches)
            {
                return Responses.Auth();
            }

            var member = room.Member(memberKey);
            if (member is null)
            {
                if (room.Settings.Locked)
                {
                    return Responses.Error(ErrorCode.RoomLocked, "the room is locked");
                }

                var limit = room.Settings.MemberLimit is > 0 and var own ? Math.Min(own, options.Value.MaxMembers) : options.Value.MaxMembers;
                if (room.Members.Count >= limit)
                {
                    return Responses.Error(ErrorCode.RoomFull, "the room is full");
                }

                if (room.Persistent && !(OpaqueId.TryFromBytes(request.MailboxReceiveId.Span, out var mailbox)
                    && await mailboxes.FindByReceiveIdAsync(mailbox, cancellationToken) is not null))
                {
                    return Responses.InvalidArgument("a persistent room needs the member's mailbox_receive_id");
                }

                member = new RoomMemberData
                {
                    MemberKey = memberKey,
                    DhKey = request.MemberDhKey.ToByteArray(),
                    Role = RoomMemberRole.Member,
                    Voice = !room.Settings.Moderated,
                    MailboxReceiveId = room.Persistent ? request.MailboxReceiveId.ToByteArray() : null,
                };
                room.Members.Add(member);
                await registry.SaveAsync(room, cancellationToken);
                var others = room.Members.Where(m => m != member).ToList();
                await fanOut.PublishAsync(room, live, new RoomEvent { Joined = member.ToWire() }, others);
            }

            live.Attach(memberKey, context.Session);
            var joined = new RoomJoined
            {
                Kind = room.Persistent ? RoomKind.Persistent : RoomKind.Transient,
                Role = (RoomRole)(int)member.Role,
                Settings = room.Settings.ToWire(),
            };
            joined.Members.AddRange(room.Members.Select(m => m.ToWire()));
            return new ServerFrame { RoomJoined = joined };
        }
        finally
        {
            live.Gate.Release();
        }
    }
}
