using Google.Protobuf;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Destroys the room for everyone: every member's connections are told, every trace is deleted.</summary>
internal sealed class RoomStopHandler(RoomRegistry registry, RoomFanOut fanOut) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomStop;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomStop;
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        if (!RoomRules.May(lease.State, lease.Member, RoomAction.Stop))
        {
            return Responses.Error(ErrorCode.Forbidden, "only the owner or a moderator may stop this room");
        }

        // Gone from the store first: no process finds it after this, whatever it was doing.
        await registry.ForgetAsync(lease.State, cancellationToken);
        var stopped = new RoomEvent { RoomId = request.RoomId, Stopped = new RoomStopped { By = ByteString.CopyFrom(lease.Member.MemberKey) } };
        var others = lease.State.Members.Where(m => m != lease.Member).Select(m => m.MemberKey);
        await fanOut.PushToConnectionsAsync(lease.RoomId, lease.Live, stopped, others, [], ended: true);
        foreach (var member in lease.State.Members)
        {
            await fanOut.DeleteMailboxAsync(member);
        }

        return Responses.Ok();
    }
}
