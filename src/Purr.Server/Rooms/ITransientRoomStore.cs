using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Server.Rooms;

/// <summary>
/// Where transient rooms live while they live: in this process's memory (<see cref="MemoryTransientRoomStore"/>),
/// or in Redis when several processes share the rooms (the Redis backplane). Never on disk. A room lives for
/// <see cref="RoomOptions.TransientLifetime"/> after it was made or last kept alive; every process keeps alive
/// the rooms it has members connected to, so a room ends that long after its last member anywhere left.
/// </summary>
public interface ITransientRoomStore : IRoomStateStore
{
    /// <summary>Gives each room a full lifetime from now. Returns the ids of those that no longer exist.</summary>
    ValueTask<IReadOnlyList<OpaqueId>> KeepAliveAsync(IReadOnlyCollection<OpaqueId> roomIds, CancellationToken cancellationToken = default);

    /// <summary>Rooms alive now (in this process's memory, or in Redis for the whole deployment).</summary>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);
}
