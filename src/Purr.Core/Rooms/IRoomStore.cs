using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>
/// Where persistent rooms live between restarts. Transient rooms never reach a store. Every backend
/// passes the same contract tests.
/// </summary>
public interface IRoomStore
{
    /// <summary>Inserts or replaces the room.</summary>
    ValueTask SaveRoomAsync(RoomState room, CancellationToken cancellationToken = default);

    ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every trace of the room. False when it did not exist.</summary>
    ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default);
}
