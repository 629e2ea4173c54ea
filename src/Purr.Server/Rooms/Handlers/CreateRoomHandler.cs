using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Creates a room; the request is signed by the creator's new member key, which becomes the owner.</summary>
internal sealed class CreateRoomHandler(RoomRegistry registry, IMailboxStore mailboxes, IOptions<RoomOptions> options) : IRequestHandler
{
    internal const int MinJoinSecretBytes = 16;
    internal static readonly Argon2Cost PasswordCost = new(2, 19UL * 1024 * 1024);

    public Request.OpOneofCase Operation => Request.OpOneofCase.CreateRoom;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.CreateRoom;
        if (request.MemberKey.Length != Ed25519.PublicKeyBytes || request.MemberDhKey.Length != X25519.KeyBytes
            || request.JoinSecret.Length < MinJoinSecretBytes || request.Kind is not (RoomKind.Transient or RoomKind.Persistent))
        {
            return Responses.InvalidArgument("member_key (32), member_dh_key (32), join_secret (>= 16) and kind are required");
        }

        var memberKey = request.MemberKey.ToByteArray();
        if (!RoomLease.VerifySignature(memberKey, context))
        {
            return Responses.Auth();
        }

        var persistent = request.Kind == RoomKind.Persistent;
        var settings = request.Settings.FromWire();
        if (settings.MemberLimit > options.Value.MaxMembers || (settings.Listed && !persistent))
        {
            return Responses.InvalidArgument($"member_limit is at most {options.Value.MaxMembers}; only persistent rooms can be listed");
        }

        if (persistent && !await MailboxExistsAsync(request.MailboxReceiveId, cancellationToken))
        {
            return Responses.InvalidArgument("a persistent room needs the member's mailbox_receive_id");
        }

        var room = new RoomState
        {
            RoomId = OpaqueId.NewRandom(),
            Persistent = persistent,
            JoinSecretHash = Blake2b.Hash(request.JoinSecret.Span),
            PasswordHash = request.Password.Length > 0 ? Argon2idPasswordHash.Hash(request.Password, PasswordCost) : null,
            Settings = settings,
            Members =
            [
                new RoomMemberData
                {
                    MemberKey = memberKey,
                    DhKey = request.MemberDhKey.ToByteArray(),
                    Role = RoomMemberRole.Owner,
                    Voice = true,
                    MailboxReceiveId = persistent ? request.MailboxReceiveId.ToByteArray() : null,
                },
            ],
        };
        await registry.SaveAsync(room, cancellationToken);
        registry.Add(room, context.Session);
        return new ServerFrame { RoomCreated = new RoomCreated { RoomId = ByteString.CopyFrom(room.RoomId.ToBytes()) } };
    }

    private async ValueTask<bool> MailboxExistsAsync(ByteString receiveId, CancellationToken cancellationToken) =>
        OpaqueId.TryFromBytes(receiveId.Span, out var id) && await mailboxes.FindByReceiveIdAsync(id, cancellationToken) is not null;
}
