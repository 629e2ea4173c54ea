using Purr.Core.Ids;

namespace Purr.Server.Rooms;

/// <summary>
/// Carries room events to the other purrd processes of one deployment (the Redis backplane implements it), so
/// members connected to any process hear them. Absent in a single process. What it carries is applied to the
/// connections a process has; the room's state itself is in the shared stores.
/// </summary>
public interface IRoomRelay
{
    ValueTask PublishAsync(RoomRelayMessage message);

    /// <summary>Called with each message another process published, one at a time, in the order they arrived.</summary>
    void OnReceived(Func<RoomRelayMessage, Task> received);
}

/// <summary>
/// What every process does for one room event: push <see cref="Frame"/> (a serialised ServerFrame; may be empty) to
/// the connections of <see cref="Recipients"/> (or, when <see cref="AllExcept"/>, of every member connected there but
/// those listed: a message to a whole room then carries one key, not a thousand), then stop sending anything to the
/// connections of <see cref="Detach"/>, and when <see cref="Ended"/>, drop the room.
/// </summary>
/// A <see cref="Beacon"/> carries no event: <see cref="Recipients"/> are the members connected to the sending process
/// (<see cref="Node"/>, filled in by the relay on receipt), renewed every few janitor rounds (<see cref="RoomConnections"/>).
public sealed record RoomRelayMessage(
    OpaqueId RoomId, byte[] Frame, IReadOnlyList<byte[]> Recipients, IReadOnlyList<byte[]> Detach, bool Ended, bool AllExcept = false, bool Beacon = false)
{
    public Guid Node { get; init; }

    public static RoomRelayMessage ConnectedHere(OpaqueId roomId, IReadOnlyList<byte[]> members) => new(roomId, [], members, [], false, Beacon: true);

    public static RoomRelayMessage Push(OpaqueId roomId, byte[] frame, IReadOnlyList<byte[]> recipients) => new(roomId, frame, recipients, [], false);

    public static RoomRelayMessage PushToAllBut(OpaqueId roomId, byte[] frame, IReadOnlyList<byte[]> excluded) => new(roomId, frame, excluded, [], false, AllExcept: true);
}
