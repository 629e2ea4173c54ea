using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Server.Rooms;

/// <summary>Transient rooms in this process's memory: the store of a single purrd. Copies in, copies out.</summary>
internal sealed class MemoryTransientRoomStore(IOptions<RoomOptions> options, TimeProvider time) : ITransientRoomStore
{
    private readonly ConcurrentDictionary<OpaqueId, Entry> rooms = new();
    private readonly TimeSpan lifetime = options.Value.TransientLifetime();

    public ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        room.Version = 1;
        rooms[room.RoomId] = new Entry(room.Copy(), time.GetUtcNow() + lifetime);
        return ValueTask.CompletedTask;
    }

    public ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Alive(roomId) is { } entry ? entry.State.Copy() : null);

    public ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        if (Alive(room.RoomId) is not { } stored || stored.State.Version != room.Version)
        {
            return ValueTask.FromResult(false);
        }

        var next = room.Copy();
        next.Version = room.Version + 1;
        if (!rooms.TryUpdate(room.RoomId, stored with { State = next }, stored))
        {
            return ValueTask.FromResult(false);
        }

        room.Version = next.Version;
        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(rooms.TryRemove(roomId, out _));

    public ValueTask<IReadOnlyList<OpaqueId>> KeepAliveAsync(IReadOnlyCollection<OpaqueId> roomIds, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var gone = new List<OpaqueId>();
        foreach (var roomId in roomIds)
        {
            // A lost race with an update only means this room is kept alive on the next round.
            if (Alive(roomId) is { } entry)
            {
                rooms.TryUpdate(roomId, entry with { Deadline = now + lifetime }, entry);
            }
            else
            {
                gone.Add(roomId);
            }
        }

        foreach (var (roomId, entry) in rooms)
        {
            if (entry.Deadline <= now)
            {
                rooms.TryRemove(new KeyValuePair<OpaqueId, Entry>(roomId, entry));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<OpaqueId>>(gone);
    }

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult((long)rooms.Count);

    private Entry? Alive(OpaqueId roomId) =>
        rooms.TryGetValue(roomId, out var entry) && entry.Deadline > time.GetUtcNow() ? entry : null;

    private sealed record Entry(RoomState State, DateTimeOffset Deadline);
}
