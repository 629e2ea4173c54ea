using Microsoft.Extensions.Options;
using Purr.Core;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Server.Rooms;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>
/// Transient rooms shared by every process of a deployment: one Redis hash per room ("v": version, "s": the same
/// JSON state SQLite keeps for persistent rooms) under "{channel}:room:{id}", with a time to live that the
/// processes holding its members' connections renew each janitor round. Redis should run without persistence
/// (docs/scale-out.md): transient rooms are meant never to reach a disk. Redis unreachable: UNAVAILABLE.
/// </summary>
internal sealed class RedisTransientRoomStore(RedisConnection connection, IOptions<RoomOptions> options) : ITransientRoomStore
{
    // Scripts take KEYS and ARGV, not LuaScript's named parameters: those are read from an object by reflection and
    // compiled expressions, which native AOT cannot keep.

    // Compare-and-set in one step: replace the state only if the version is still the one read. HSET keeps the TTL.
    // KEYS[1] = room, ARGV = expected version, next version, state.
    private const string Update = """
        if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then
            redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
            return 1
        end
        return 0
        """;

    // The state only when its version moved since this process last read it (RoomStateCache). KEYS[1] = room, ARGV[1] = known version.
    private const string Find = """
        local v = redis.call('HGET', KEYS[1], 'v')
        if not v then
            return nil
        end
        if v == ARGV[1] then
            return {v}
        end
        return {v, redis.call('HGET', KEYS[1], 's')}
        """;

    private readonly RoomStateCache cache = new();
    private readonly IDatabase redis = connection.Multiplexer.GetDatabase();
    private readonly string prefix = connection.Channel + ":room:";
    private readonly TimeSpan lifetime = options.Value.TransientLifetime();

    public async ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        var key = Key(room.RoomId);
        var transaction = redis.CreateTransaction();
        _ = transaction.HashSetAsync(key, [new HashEntry("v", 1), new HashEntry("s", RoomStateJson.Serialize(room))]);
        _ = transaction.KeyExpireAsync(key, lifetime);
        await Reach(() => transaction.ExecuteAsync());
        room.Version = 1;
        cache.Remember(room);
    }

    public async ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        var known = cache.KnownVersion(roomId);
        var found = await Reach(() => redis.ScriptEvaluateAsync(
            Find, [Key(roomId)], [known.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        if (found.IsNull)
        {
            cache.Forget(roomId);
            return null;
        }

        var fields = (RedisResult[])found!;
        var version = (long)fields[0];
        if (fields.Length == 1)
        {
            // Unchanged since this process read it; read whole after all if the cache let go of it meanwhile.
            return cache.At(roomId, version) ?? await ReadWholeAsync(roomId);
        }

        var room = RoomStateJson.Deserialize((byte[])fields[1]!);
        room.Version = version;
        cache.Remember(room);
        return room;
    }

    public async ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        var updated = await Reach(() => redis.ScriptEvaluateAsync(
            Update,
            [Key(room.RoomId)],
            [room.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), room.Version + 1, RoomStateJson.Serialize(room)]));
        if ((long)updated != 1)
        {
            return false;
        }

        room.Version++;
        cache.Remember(room);
        return true;
    }

    public async ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        cache.Forget(roomId);
        return await Reach(() => redis.KeyDeleteAsync(Key(roomId)));
    }

    public async ValueTask<IReadOnlyList<OpaqueId>> KeepAliveAsync(IReadOnlyCollection<OpaqueId> roomIds, CancellationToken cancellationToken = default)
    {
        // Pipelined: one round trip for all of them.
        var renewals = roomIds.Select(id => (Id: id, Renewed: redis.KeyExpireAsync(Key(id), lifetime))).ToList();
        await Reach(() => Task.WhenAll(renewals.Select(r => r.Renewed)));
        return [.. renewals.Where(r => !r.Renewed.Result).Select(r => r.Id)];
    }

    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        // For purrctl status only: SCAN, never KEYS, so Redis is not held up.
        var server = connection.Multiplexer.GetServers().FirstOrDefault(s => s.IsConnected);
        if (server is null)
        {
            return -1;
        }

        long count = 0;
        await foreach (var _ in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
        {
            count++;
        }

        return count;
    }

    private async Task<RoomState?> ReadWholeAsync(OpaqueId roomId)
    {
        var fields = await Reach(() => redis.HashGetAsync(Key(roomId), ["v", "s"]));
        if (fields[0].IsNull || fields[1].IsNull)
        {
            return null;
        }

        var room = RoomStateJson.Deserialize((byte[])fields[1]!);
        room.Version = (long)fields[0];
        cache.Remember(room);
        return room;
    }

    private string Key(OpaqueId roomId) => prefix + Convert.ToHexString(roomId.ToBytes());

    private async Task<T> Reach<T>(Func<Task<T>> operation)
    {
        // Refused at once rather than queued until a timeout: the client is told to retry later.
        if (!connection.Multiplexer.IsConnected)
        {
            throw new StoreUnavailableException("Redis, which holds the transient rooms, is not connected");
        }

        try
        {
            return await operation();
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw new StoreUnavailableException("Redis, which holds the transient rooms, cannot be reached", e);
        }
    }

    private async Task Reach(Func<Task> operation) => await Reach(async () =>
    {
        await operation();
        return true;
    });
}
