using Google.Protobuf;
using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>The persistent rooms whose owners chose to list them. Joining still needs an invite link.</summary>
internal sealed class ListRoomsHandler(IRoomStore store) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.ListRooms;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var list = new RoomList();
        foreach (var room in await store.ListedRoomsAsync(cancellationToken))
        {
            list.Rooms.Add(new ListedRoom
            {
                RoomId = ByteString.CopyFrom(room.RoomId.ToBytes()),
                Name = room.Settings.ListingName,
                Members = (uint)room.Members.Count,
            });
        }

        return new ServerFrame { RoomList = list };
    }
}
