using System.Collections.Concurrent;
using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Memory;

/// <summary>Persistent rooms in process memory (copies, so callers never share state with the store).</summary>
public sealed class MemoryRoomStore : IRoomStore
{
    private readonly ConcurrentDictionary<OpaqueId, RoomState> rooms = new();

    public ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        room.Version = 1;
        rooms[room.RoomId] = room.Copy();
        return ValueTask.CompletedTask;
    }

    public ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(rooms.TryGetValue(roomId, out var room) ? room.Copy() : null);

    public ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        if (!rooms.TryGetValue(room.RoomId, out var stored) || stored.Version != room.Version)
        {
            return ValueTask.FromResult(false);
        }

        var next = room.Copy();
        next.Version = room.Version + 1;

        // Compare-and-set on the stored object itself: a concurrent update of the same version loses.
        if (!rooms.TryUpdate(room.RoomId, next, stored))
        {
            return ValueTask.FromResult(false);
        }

        room.Version = next.Version;
        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(rooms.TryRemove(roomId, out _));

    public ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<RoomState>>([.. rooms.Values.Where(r => r.Settings.Listed).Select(r => r.Copy())]);
}
