using System.Collections.Concurrent;
using Google.Protobuf;
using Purr.Core;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>
/// The rooms this process has connections in, and the way to their state: persistent rooms in the room store,
/// transient ones in the transient room store (memory, or Redis shared by several processes). The state is read
/// afresh for every request and changed by compare-and-set, so any number of processes can serve one room.
/// </summary>
internal sealed class RoomRegistry(IRoomStore rooms, ITransientRoomStore transientRooms, RoomConnections connections, TimeProvider time) : ISessionObserver
{
    private readonly ConcurrentDictionary<OpaqueId, LiveRoom> live = new();
    private long round;

    /// <summary>Who is connected to each room, here and (behind a relay) in the other processes.</summary>
    public RoomConnections Connections => connections;

    public int LiveCount => live.Count;

    /// <param name="onEnd">Runs once when a transient room ends (its creator's place under the room limits is given back).</param>
    public async ValueTask CreateAsync(RoomState room, IClientSession creator, Action? onEnd, CancellationToken cancellationToken)
    {
        await StoreOf(room.Persistent).CreateRoomAsync(room, cancellationToken);
        var entry = Watched(room.RoomId, new LiveRoom(room.Persistent, null) { OnEnd = onEnd });
        entry.Attach(room.Members[0].MemberKey, creator);
        live[room.RoomId] = entry;
    }

    /// <summary>The room's entry here and its state now, or null when no such room exists.</summary>
    public async ValueTask<(LiveRoom Live, RoomState State)?> FindAsync(OpaqueId roomId, CancellationToken cancellationToken)
    {
        if (live.TryGetValue(roomId, out var entry))
        {
            return await StoreOf(entry.Persistent).FindRoomAsync(roomId, cancellationToken) is { } state ? (entry, state) : null;
        }

        RoomState? found;
        try
        {
            found = await transientRooms.FindRoomAsync(roomId, cancellationToken) ?? await rooms.FindRoomAsync(roomId, cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // The shared transient store (Redis) is away: persistent rooms, which live elsewhere, go on.
            found = await rooms.FindRoomAsync(roomId, cancellationToken);
            if (found is null)
            {
                throw;
            }
        }

        if (found is null)
        {
            return null;
        }

        entry = live.GetOrAdd(roomId, _ => Watched(roomId, new LiveRoom(found.Persistent, time.GetUtcNow())));
        return (entry, found);
    }

    /// <summary>This process's entry for the room, if it has one (the state is read with <see cref="ReadAsync"/>).</summary>
    public LiveRoom? Entry(OpaqueId roomId) => live.GetValueOrDefault(roomId);

    /// <summary>Whether <paramref name="entry"/> is still the room's entry here (the janitor may have unloaded it).</summary>
    public bool IsCurrent(OpaqueId roomId, LiveRoom entry) => live.TryGetValue(roomId, out var current) && current == entry;

    public ValueTask<RoomState?> ReadAsync(OpaqueId roomId, LiveRoom entry, CancellationToken cancellationToken) =>
        StoreOf(entry.Persistent).FindRoomAsync(roomId, cancellationToken);

    /// <summary>Saves a changed room; false when another request (here or in another process) changed it first.</summary>
    public ValueTask<bool> TryUpdateAsync(RoomState room, CancellationToken cancellationToken) =>
        StoreOf(room.Persistent).TryUpdateRoomAsync(room, cancellationToken);

    /// <summary>Removes every trace of the room from this process and its store.</summary>
    public async ValueTask ForgetAsync(RoomState room, CancellationToken cancellationToken)
    {
        Drop(room.RoomId);
        await StoreOf(room.Persistent).DeleteRoomAsync(room.RoomId, cancellationToken);
    }

    public bool IsKnownLive(OpaqueId roomId) => live.ContainsKey(roomId);

    /// <summary>
    /// Applies a room event to this process's connections: the caller holds the room's gate (a request here), or
    /// <see cref="ApplyReceivedAsync"/> takes it (an event from another process).
    /// </summary>
    public void Apply(OpaqueId roomId, LiveRoom entry, RoomRelayMessage message)
    {
        if (message.Frame.Length > 0)
        {
            foreach (var key in message.AllExcept ? entry.MemberKeysExcept(message.Recipients) : message.Recipients)
            {
                foreach (var session in entry.SessionsOf(key))
                {
                    // A connection too slow for its room's traffic is dropped, not waited for.
                    if (!session.TryPushEncoded(message.Frame))
                    {
                        session.Abort();
                    }
                }
            }
        }

        var now = time.GetUtcNow();
        foreach (var key in message.Detach)
        {
            entry.DetachMember(key, now);
        }

        if (message.Ended)
        {
            entry.DetachAll(now);
            Drop(roomId, entry);
        }
    }

    public async Task ApplyReceivedAsync(RoomRelayMessage message)
    {
        if (!live.TryGetValue(message.RoomId, out var entry))
        {
            if (message.Beacon)
            {
                // Kept even with no connection here: a member may ask this process who is connected later.
                connections.OnBeacon(message, null, _ => { });
            }

            return;
        }

        if (message.Beacon)
        {
            await entry.Gate.WaitAsync();
            try
            {
                connections.OnBeacon(message, entry, m => Apply(message.RoomId, entry, m));
            }
            finally
            {
                entry.Gate.Release();
            }

            return;
        }

        await entry.Gate.WaitAsync();
        try
        {
            Apply(message.RoomId, entry, message);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// One janitor round: keeps alive the transient rooms with members connected here, lets go of the entries of
    /// rooms that ended, and unloads entries with no connections (a room's creator keeps its entry until the room
    /// ends, to give its place back then). An entry is unloaded only after a whole <paramref name="round"/> without
    /// connections, so one made for a request that is still running stays.
    /// </summary>
    public async ValueTask SweepAsync(TimeSpan grace, TimeSpan round, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var connected = live.Where(e => !e.Value.Persistent && e.Value.ConnectionCount > 0).Select(e => e.Key).ToList();
        var ended = connected.Count == 0 ? [] : await transientRooms.KeepAliveAsync(connected, cancellationToken);
        foreach (var roomId in ended)
        {
            // Gone from under connected members (its store lost it: Redis restarted, say): they are told it ended.
            if (live.TryGetValue(roomId, out var entry))
            {
                await EndLocallyAsync(roomId, entry, tellMembers: true);
            }
        }

        foreach (var (roomId, entry) in live)
        {
            if (entry.ConnectionCount > 0 || entry.EmptySince is not { } since)
            {
                continue;
            }

            if (entry.Persistent || entry.OnEnd is null)
            {
                if (now - since >= round)
                {
                    UnloadIfStillEmpty(roomId, entry);
                }
            }
            else if (now - since >= grace && await transientRooms.FindRoomAsync(roomId, cancellationToken) is null)
            {
                await EndLocallyAsync(roomId, entry);
            }
        }
    }

    /// <summary>
    /// Part of each janitor round: drops other processes' announcements that were not renewed, tells this process's
    /// connections what changed, and every few rounds renews this process's own announcements.
    /// </summary>
    public async ValueTask ConnectionsRoundAsync()
    {
        var renew = Interlocked.Increment(ref round) % RoomConnections.BeaconRounds == 0;
        connections.Expire();
        foreach (var (roomId, entry) in live)
        {
            var renewal = Task.CompletedTask;
            await entry.Gate.WaitAsync();
            try
            {
                connections.Refresh(roomId, entry, m => Apply(roomId, entry, m));
                // Started under the gate, like every other announcement of this room (the relay sends them in the order
                // they are started): a renewal read before a member left must not go out after the one saying it left,
                // or the other processes would count that member connected again until the next renewal.
                if (renew)
                {
                    renewal = connections.RenewAsync(roomId, entry);
                }
            }
            finally
            {
                entry.Gate.Release();
            }

            await renewal;
        }
    }

    public void SessionClosed(IClientSession session)
    {
        var now = time.GetUtcNow();
        foreach (var entry in session.Features.Get<AttachedRooms>()?.Snapshot() ?? [])
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

    private IRoomStateStore StoreOf(bool persistent) => persistent ? rooms : transientRooms;

    /// <summary>An entry whose connected members, when they change, are told to this process's connections and announced.</summary>
    private LiveRoom Watched(OpaqueId roomId, LiveRoom entry)
    {
        entry.MembersChanged = () => connections.LocalChanged(roomId, entry, m => Apply(roomId, entry, m));
        return entry;
    }

    private void Drop(OpaqueId roomId, LiveRoom? expected = null)
    {
        var removed = expected is null
            ? live.TryRemove(roomId, out expected)
            : live.TryRemove(new KeyValuePair<OpaqueId, LiveRoom>(roomId, expected));
        if (removed)
        {
            connections.Forget(roomId);
            expected!.OnEnd?.Invoke();
        }
    }

    private async Task EndLocallyAsync(OpaqueId roomId, LiveRoom entry, bool tellMembers = false)
    {
        await entry.Gate.WaitAsync();
        try
        {
            if (tellMembers)
            {
                var ended = new ServerFrame { RoomEvent = new RoomEvent { RoomId = ByteString.CopyFrom(roomId.ToBytes()), Stopped = new RoomStopped() } }.ToByteArray();
                Apply(roomId, entry, new RoomRelayMessage(roomId, ended, entry.MemberKeys(), [], Ended: true));
                return;
            }

            entry.DetachAll(time.GetUtcNow());
            Drop(roomId, entry);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private void UnloadIfStillEmpty(OpaqueId roomId, LiveRoom entry)
    {
        // A request holding the gate may be attaching a connection right now: then this round leaves the entry.
        if (!entry.Gate.Wait(0))
        {
            return;
        }

        try
        {
            if (entry.ConnectionCount == 0)
            {
                Drop(roomId, entry);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
