using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>
/// Room states by id, changed by compare-and-set on <see cref="RoomState.Version"/>, so that several purrd
/// processes sharing one store never overwrite each other's change: a change made to a state that someone
/// else changed since it was read is refused, and the caller reads again and retries.
/// </summary>
public interface IRoomStateStore
{
    /// <summary>Stores a new room at version 1 (and sets <see cref="RoomState.Version"/> to 1). Room ids are random: never taken.</summary>
    ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default);

    /// <summary>The room at its current version, or null.</summary>
    ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the room if its stored version is still <see cref="RoomState.Version"/>, and then increments it (on the
    /// object too). False, changing nothing, when someone changed or deleted it since it was read.
    /// </summary>
    ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default);

    /// <summary>Deletes every trace of the room. False when it did not exist.</summary>
    ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where persistent rooms live between restarts (memory, SQLite, PostgreSQL). Transient rooms never reach it.
/// Every backend passes the same contract tests.
/// </summary>
public interface IRoomStore : IRoomStateStore
{
    ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default);
}
