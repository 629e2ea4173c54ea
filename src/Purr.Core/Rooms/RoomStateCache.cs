using System.Collections.Concurrent;
using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>
/// A shared store's rooms as last read, by version: a store asks for the state only when its version moved, so a
/// busy room's every message costs a few bytes from the store instead of its whole member list (a 1,000-member
/// room is about 100 KB of JSON). Bounded; what it hands out are copies.
/// </summary>
public sealed class RoomStateCache(int capacity = 4096)
{
    private readonly ConcurrentDictionary<OpaqueId, RoomState> rooms = new();

    /// <summary>The version this cache holds for the room, or 0 (no state is at version 0).</summary>
    public long KnownVersion(OpaqueId roomId) => rooms.TryGetValue(roomId, out var room) ? room.Version : 0;

    /// <summary>A copy of the cached state if it is at <paramref name="version"/>.</summary>
    public RoomState? At(OpaqueId roomId, long version) =>
        rooms.TryGetValue(roomId, out var room) && room.Version == version ? room.Copy() : null;

    public void Remember(RoomState room)
    {
        // Crude but bounded: a full cache starts again (rooms in use come back on their next read).
        if (rooms.Count >= capacity && !rooms.ContainsKey(room.RoomId))
        {
            rooms.Clear();
        }

        rooms[room.RoomId] = room.Copy();
    }

    public void Forget(OpaqueId roomId) => rooms.TryRemove(roomId, out _);
}
