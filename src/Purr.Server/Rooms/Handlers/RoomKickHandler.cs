using Microsoft.Extensions.Options;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>
/// Removes a member at once: its key leaves the member list, its connections stop receiving (after one
/// last "you were kicked" event), and in a persistent room its room mailbox is deleted with whatever
/// was waiting in it. Owners kick anyone, moderators kick members; in a flat room anyone kicks anyone. In the same
/// step a new join secret (the kicker's client makes it and shares the new link end to end) makes the old link
/// useless, and a ban puts the target's join tag hash on the room's list (<see cref="RoomBans"/>).
/// </summary>
internal sealed class RoomKickHandler(RoomRegistry registry, RoomFanOut fanOut, IOptions<RoomOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomKick;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomKick;
        if (!request.NewJoinSecret.IsEmpty && request.NewJoinSecret.Length is < CreateRoomHandler.MinJoinSecretBytes or > RoomFieldLimits.MaxJoinSecretBytes)
        {
            return Responses.InvalidArgument($"new_join_secret must be empty or {CreateRoomHandler.MinJoinSecretBytes} to {RoomFieldLimits.MaxJoinSecretBytes} bytes");
        }

        return await RoomChanges.RetryAsync(() => AttemptAsync(request, context, cancellationToken));
    }

    private async ValueTask<ServerFrame?> AttemptAsync(RoomKick request, RequestContext context, CancellationToken cancellationToken)
    {
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        var target = lease.State.Member(request.Target.Span);
        if (target is null || target == lease.Member)
        {
            return Responses.InvalidArgument("the target is not another member of the room");
        }

        if (!RoomRules.May(lease.State, lease.Member, RoomAction.Kick, target))
        {
            return Responses.Error(ErrorCode.Forbidden, "you may not kick this member");
        }

        if (!request.NewJoinSecret.IsEmpty)
        {
            lease.State.JoinSecretHash = Blake2b.Hash(request.NewJoinSecret.Span);
        }

        if (request.Ban)
        {
            RoomBans.Ban(lease.State, target, options.Value.MaxBans);
        }

        return await RoomMembership.TryRemoveAsync(registry, fanOut, lease, target, kickedBy: lease.Member, cancellationToken) ? Responses.Ok() : null;
    }
}
