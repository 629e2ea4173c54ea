using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Receive the room's live traffic (and keep a transient room alive) on this connection.</summary>
internal sealed class SubscribeRoomHandler(RoomRegistry registry) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SubscribeRoom;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.SubscribeRoom;
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        lease.Live.Attach(lease.Member.MemberKey, context.Session);
        return Responses.Ok();
    }
}
