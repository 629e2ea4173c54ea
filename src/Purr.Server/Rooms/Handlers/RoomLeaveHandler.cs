using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Leaves the room; the last member to leave ends it.</summary>
internal sealed class RoomLeaveHandler(RoomRegistry registry, RoomFanOut fanOut) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomLeave;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomLeave;
        return await RoomChanges.RetryAsync(() => AttemptAsync(request, context, cancellationToken));
    }

    private async ValueTask<ServerFrame?> AttemptAsync(RoomLeave request, RequestContext context, CancellationToken cancellationToken)
    {
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        return await RoomMembership.TryRemoveAsync(registry, fanOut, lease, lease.Member, kickedBy: null, cancellationToken) ? Responses.Ok() : null;
    }
}
