using System.Collections.Concurrent;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>
/// Every room this process knows: transient rooms live only here; persistent rooms live in the store
/// and get a LiveRoom entry for their connected members. Finds, saves and forgets rooms.
/// </summary>
internal sealed class RoomRegistry(IRoomStore store, TimeProvider time) : ISessionObserver
{
    private readonly ConcurrentDictionary<OpaqueId, LiveRoom> live = new();

    public int LiveCount => live.Count;

    /// <param name="onEnd">Runs once when a transient room ends (its creator's place under the room limits is given back).</param>
    public LiveRoom Add(RoomState room, IClientSession creator, Action? onEnd = null)
    {
        var entry = new LiveRoom(room.Persistent ? null : room, time.GetUtcNow()) { OnEnd = onEnd };
        entry.Attach(room.Members[0].MemberKey, creator);
        live[room.RoomId] = entry;
        return entry;
    }

    /// <summary>The room's live entry and its state, or null when no such room exists.</summary>
    public async ValueTask<(LiveRoom Live, RoomState State)?> FindAsync(OpaqueId roomId, CancellationToken cancellationToken)
    {
        if (live.TryGetValue(roomId, out var entry) && entry.TransientState is { } transient)
        {
            return (entry, transient);
        }

        var stored = await store.FindRoomAsync(roomId, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        entry = live.GetOrAdd(roomId, _ => new LiveRoom(null, time.GetUtcNow()));
        return (entry, stored);
    }

    public async ValueTask SaveAsync(RoomState room, CancellationToken cancellationToken)
    {
        if (room.Persistent)
        {
            await store.SaveRoomAsync(room, cancellationToken);
        }
    }

    /// <summary>Removes every trace of the room from memory and the store.</summary>
    public async ValueTask ForgetAsync(RoomState room, CancellationToken cancellationToken)
    {
        if (live.TryRemove(room.RoomId, out var entry))
        {
            entry.OnEnd?.Invoke();
        }

        if (room.Persistent)
        {
            await store.DeleteRoomAsync(room.RoomId, cancellationToken);
        }
    }

    public bool IsKnownLive(OpaqueId roomId) => live.ContainsKey(roomId);

    /// <summary>Transient rooms empty for longer than the grace: gone. Persistent entries with no connections: unloaded.</summary>
    public void RemoveIdle(TimeSpan grace)
    {
        var now = time.GetUtcNow();
        foreach (var (roomId, entry) in live)
        {
            if (!entry.Gate.Wait(0))
            {
                continue;
            }

            try
            {
                if (entry.ConnectionCount == 0 && entry.EmptySince is { } since && (entry.TransientState is null || now - since >= grace))
                {
                    if (live.TryRemove(roomId, out var removed))
                    {
                        removed.OnEnd?.Invoke();
                    }
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    public void SessionClosed(IClientSession session)
    {
        var now = time.GetUtcNow();
        foreach (var entry in live.Values)
        {
            entry.Gate.Wait();
            try
            {
                entry.DetachSession(session, now);
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }
}
