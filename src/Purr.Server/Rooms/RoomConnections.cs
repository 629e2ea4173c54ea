using System.Collections.Concurrent;
using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Protocol.V1;

namespace Purr.Server.Rooms;

/// <summary>
/// Who is connected to each room, across every process that serves it: this process's own attachments (its
/// <see cref="LiveRoom"/> entries) and, behind a relay, what the others announce in beacons (the members connected to
/// them, sent when that set changes and renewed every <see cref="BeaconRounds"/> janitor rounds; an announcement not
/// renewed within three periods is dropped, so a process that died stops counting). When the union changes, this
/// process's own connections to the room get a live <c>RoomEvent.connection</c> for each member that came or went.
/// </summary>
internal sealed class RoomConnections(TimeProvider time, Microsoft.Extensions.Options.IOptions<RoomOptions> options, IEnumerable<IRoomRelay> relays)
{
    private readonly IRoomRelay? relay = relays.FirstOrDefault();

    /// <summary>Janitor rounds between two beacons for the same room.</summary>
    public const int BeaconRounds = 5;

    private readonly ConcurrentDictionary<OpaqueId, ConcurrentDictionary<Guid, Announced>> remote = new();
    private readonly ConcurrentDictionary<OpaqueId, HashSet<string>> shown = new();


    public bool IsConnected(OpaqueId roomId, LiveRoom? local, byte[] memberKey) =>
        Union(roomId, local).Contains(Convert.ToHexString(memberKey));

    /// <summary>This process's members of the room changed (the caller holds the room's gate, or closes a connection).</summary>
    public void LocalChanged(OpaqueId roomId, LiveRoom local, Action<RoomRelayMessage> applyHere)
    {
        PushChanges(roomId, local, applyHere);
        if (relay is not null)
        {
            _ = PublishQuietlyAsync(RoomRelayMessage.ConnectedHere(roomId, local.MemberKeys()));
        }
    }

    /// <summary>
    /// Another process announced its members of the room. A process heard from for the first time on this room may
    /// not have heard this one (it came later): this process then announces its own members back, once.
    /// </summary>
    public void OnBeacon(RoomRelayMessage beacon, LiveRoom? local, Action<RoomRelayMessage> applyHere)
    {
        var period = options.Value.JanitorInterval * BeaconRounds;
        var nodes = remote.GetOrAdd(beacon.RoomId, _ => new());
        var newcomer = !nodes.ContainsKey(beacon.Node);
        nodes[beacon.Node] = new Announced([.. beacon.Recipients.Select(Convert.ToHexString)], time.GetUtcNow() + (3 * period));
        if (local is not null)
        {
            PushChanges(beacon.RoomId, local, applyHere);
            if (newcomer && relay is not null && local.ConnectionCount > 0)
            {
                _ = PublishQuietlyAsync(RoomRelayMessage.ConnectedHere(beacon.RoomId, local.MemberKeys()));
            }
        }
    }

    /// <summary>Drops announcements that were not renewed in time (a janitor round; <see cref="Refresh"/> then tells connections).</summary>
    public void Expire()
    {
        var now = time.GetUtcNow();
        foreach (var (roomId, nodes) in remote)
        {
            foreach (var (node, announced) in nodes)
            {
                if (announced.Until <= now)
                {
                    nodes.TryRemove(node, out _);
                }
            }

            if (nodes.IsEmpty)
            {
                remote.TryRemove(roomId, out _);
            }
        }
    }

    /// <summary>Tells this process's connections to the room of any change since they were last told (the caller holds the gate).</summary>
    public void Refresh(OpaqueId roomId, LiveRoom local, Action<RoomRelayMessage> applyHere) => PushChanges(roomId, local, applyHere);

    /// <summary>Renews this process's announcement for a room (every <see cref="BeaconRounds"/> rounds).</summary>
    public Task RenewAsync(OpaqueId roomId, LiveRoom local) =>
        relay is not null && local.ConnectionCount > 0 ? PublishQuietlyAsync(RoomRelayMessage.ConnectedHere(roomId, local.MemberKeys())) : Task.CompletedTask;

    /// <summary>A beacon lost (the relay away) is sent again with the next renewal.</summary>
    private async Task PublishQuietlyAsync(RoomRelayMessage beacon)
    {
        try
        {
            await relay!.PublishAsync(beacon);
        }
        catch (Exception e) when (Purr.Server.Sessions.StoreUnavailable.Is(e) || e is OperationCanceledException)
        {
        }
    }

    public void Forget(OpaqueId roomId) => shown.TryRemove(roomId, out _);

    private HashSet<string> Union(OpaqueId roomId, LiveRoom? local)
    {
        var now = time.GetUtcNow();
        var union = local is null ? [] : local.MemberKeys().Select(Convert.ToHexString).ToHashSet();
        if (remote.TryGetValue(roomId, out var nodes))
        {
            foreach (var announced in nodes.Values.Where(a => a.Until > now))
            {
                union.UnionWith(announced.Members);
            }
        }

        return union;
    }

    private void PushChanges(OpaqueId roomId, LiveRoom local, Action<RoomRelayMessage> applyHere)
    {
        var now = Union(roomId, local);
        HashSet<string> before;
        lock (shown)
        {
            before = shown.GetValueOrDefault(roomId) ?? [];
            shown[roomId] = now;
        }

        foreach (var (member, connected) in now.Except(before).Select(m => (m, true)).Concat(before.Except(now).Select(m => (m, false))))
        {
            var frame = new ServerFrame
            {
                RoomEvent = new RoomEvent
                {
                    RoomId = ByteString.CopyFrom(roomId.ToBytes()),
                    Connection = new RoomMemberConnection { MemberKey = ByteString.CopyFrom(Convert.FromHexString(member)), Connected = connected },
                },
            }.ToByteArray();
            // Not to the member itself: it knows, and a joiner's own event would reach its connection before its session listens.
            applyHere(RoomRelayMessage.PushToAllBut(roomId, frame, [Convert.FromHexString(member)]));
        }
    }

    private sealed record Announced(HashSet<string> Members, DateTimeOffset Until);
}
