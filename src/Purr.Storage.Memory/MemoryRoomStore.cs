using System.Collections.Concurrent;
using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Memory;

/// <summary>Persistent rooms in process memory (copies, so callers never share state with the store).</summary>
public sealed class MemoryRoomStore : IRoomStore
{
    private readonly ConcurrentDictionary<OpaqueId, byte[]> rooms = new();

    public ValueTask SaveRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        rooms[room.RoomId] = RoomStateJson.Serialize(room);
        return ValueTask.CompletedTask;
    }

    public ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(rooms.TryGetValue(roomId, out var json) ? RoomStateJson.Deserialize(json) : null);

    public ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(rooms.TryRemove(roomId, out _));

    public ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<RoomState>>(
            [.. rooms.Values.Select(j => RoomStateJson.Deserialize(j)).Where(r => r.Settings.Listed)]);
}
