using Purr.Core.Ids;

namespace Purr.Server.Rooms;

/// <summary>
/// The one way room events reach connections: applied at once to this process's connections, and handed to the
/// relay (when there is one) for the connections other processes hold.
/// </summary>
internal sealed class RoomEvents
{
    private readonly RoomRegistry registry;
    private readonly IRoomRelay? relay;

    public RoomEvents(RoomRegistry registry, IEnumerable<IRoomRelay> relays)
    {
        this.registry = registry;
        relay = relays.FirstOrDefault();
        relay?.OnReceived(registry.ApplyReceivedAsync);
    }

    /// <summary>The caller holds the room's gate.</summary>
    public async ValueTask PublishAsync(OpaqueId roomId, LiveRoom entry, RoomRelayMessage message)
    {
        registry.Apply(roomId, entry, message);
        if (relay is not null)
        {
            await relay.PublishAsync(message);
        }
    }
}
