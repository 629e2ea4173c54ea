using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Member keys, roles and voice, and how many bans the room keeps: what the server knows. Names are exchanged end to end by the members.</summary>
internal sealed class RoomMembersHandler(RoomRegistry registry) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomMembers;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomMembers;
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        var list = new RoomMemberList { Settings = lease.State.Settings.ToWire(), Bans = (uint)lease.State.Bans.Count };
        list.Members.AddRange(lease.State.Members.Select(m => m.ToWire(registry.Connections.IsConnected(lease.RoomId, lease.Live, m.MemberKey))));
        return new ServerFrame { RoomMemberList = list };
    }
}
