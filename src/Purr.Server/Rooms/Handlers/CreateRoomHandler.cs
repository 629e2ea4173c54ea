using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;
using Purr.Server.Registration;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>
/// Creates a room; the request is signed by the creator's new member key, which becomes the owner. A persistent
/// room's mailbox must be proven by its recipient key. Creation is bounded (<see cref="RoomCreationLimits"/>),
/// a password is hashed on the bounded pool (<see cref="RoomPasswords"/>), and the registration policy
/// (<see cref="CreationGate"/>) has the last word.
/// </summary>
internal sealed class CreateRoomHandler(
    RoomRegistry registry, IMailboxDelivery mailboxes, RoomCreationLimits creationLimits, RoomPasswords passwords, CreationGate gate,
    IOptions<RoomOptions> options)
    : IRequestHandler
{
    internal const int MinJoinSecretBytes = 16;

    public Request.OpOneofCase Operation => Request.OpOneofCase.CreateRoom;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.CreateRoom;
        if (request.MemberKey.Length != Ed25519.PublicKeyBytes || request.MemberDhKey.Length != X25519.KeyBytes
            || request.JoinSecret.Length is < MinJoinSecretBytes or > RoomFieldLimits.MaxJoinSecretBytes
            || request.Kind is not (RoomKind.Transient or RoomKind.Persistent))
        {
            return Responses.InvalidArgument(
                $"member_key (32), member_dh_key (32), join_secret ({MinJoinSecretBytes} to {RoomFieldLimits.MaxJoinSecretBytes}) and kind are required");
        }

        var memberKey = request.MemberKey.ToByteArray();
        if (!RoomLease.VerifySignature(memberKey, context))
        {
            return Responses.Auth();
        }

        var persistent = request.Kind == RoomKind.Persistent;
        var settings = request.Settings.FromWire();
        if ((RoomFieldLimits.Check(settings, persistent, options.Value) ?? RoomFieldLimits.CheckPassword(request.Password, options.Value)
            ?? RoomFieldLimits.CheckProfile(request.MemberProfile.Length, options.Value) ?? RoomBans.CheckTag(request.JoinTag)
            ?? RoomFieldLimits.CheckKemKey(request.MemberKemKey)) is { } invalid)
        {
            return Responses.InvalidArgument(invalid);
        }

        if (persistent)
        {
            if (request.MailboxReceiveId.IsEmpty)
            {
                return Responses.InvalidArgument("a persistent room needs the member's mailbox_receive_id");
            }

            // Someone else's mailbox would fill with room traffic: the mailbox's own key must sign too.
            if (!await mailboxes.IsProvenAsync(request.MailboxReceiveId, context, cancellationToken))
            {
                return Responses.Auth();
            }
        }

        if (creationLimits.TryAdmit(context.Session, persistent, out var release) is { } refused)
        {
            return Responses.Error(ErrorCode.RateLimited, refused);
        }

        var added = false;
        try
        {
            string? passwordHash = null;
            if (request.Password.Length > 0)
            {
                passwordHash = await passwords.HashAsync(context.Session.RemoteAddress, request.Password, cancellationToken);
                if (passwordHash is null)
                {
                    return Responses.Error(ErrorCode.RateLimited, "too many room passwords from your address or the server is busy; try again later");
                }
            }

            // Last, so a credential (a creation token above all) is spent only on a room that is made.
            if (await gate.AdmitAsync(context, request.Registration, cancellationToken) is { } unregistered)
            {
                return unregistered;
            }

            var room = new RoomState
            {
                RoomId = OpaqueId.NewRandom(),
                Persistent = persistent,
                JoinSecretHash = Blake2b.Hash(request.JoinSecret.Span),
                PasswordHash = passwordHash,
                Settings = settings,
                BanKey = RoomBans.NewKey(),
                Members =
                [
                    new RoomMemberData
                    {
                        MemberKey = memberKey,
                        DhKey = request.MemberDhKey.ToByteArray(),
                        KemKey = request.MemberKemKey.ToByteArray(),
                        Profile = request.MemberProfile.ToByteArray(),
                        Role = RoomMemberRole.Owner,
                        Voice = true,
                        MailboxReceiveId = persistent ? request.MailboxReceiveId.ToByteArray() : null,
                    },
                ],
            };
            room.Members[0].JoinTagHash = RoomBans.Hash(room, request.JoinTag);
            await registry.CreateAsync(room, context.Session, release, cancellationToken);
            added = true;
            return new ServerFrame { RoomCreated = new RoomCreated { RoomId = ByteString.CopyFrom(room.RoomId.ToBytes()) } };
        }
        finally
        {
            if (!added)
            {
                release?.Invoke();
            }
        }
    }
}
