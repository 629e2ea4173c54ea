using Purr.Core;
using Purr.Server.Federation;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>
/// The replay guard every node of a deployment shares (PROTOCOL.md 15.3, 15.5; docs/scale-out.md): a packet accepted by
/// one node is refused by all of them for its window. Each key is a Redis key set only if absent, expiring with the
/// window. The node's own cache is asked first, so a replay to the same node costs no round trip and the memory bound
/// (Federation:ReplayCacheEntries) still holds. Redis away: the packet is answered UNAVAILABLE, never accepted unchecked.
/// </summary>
internal sealed class RedisReplayGuard(RedisConnection connection, InProcessReplayGuard local) : IReplayGuard
{
    public async ValueTask<ReplayVerdict> CheckAsync(string scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        var verdict = await local.CheckAsync(scope, key, cancellationToken);
        if (verdict != ReplayVerdict.Fresh)
        {
            return verdict;
        }

        try
        {
            var first = await connection.Multiplexer.GetDatabase().StringSetAsync(
                $"{connection.Channel}:replay:{scope}:{Convert.ToHexStringLower(key.Span)}", RedisValue.EmptyString, InProcessReplayGuard.Window, When.NotExists);
            return first ? ReplayVerdict.Fresh : ReplayVerdict.Replayed;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new StoreUnavailableException("the shared replay cache (Redis) cannot be reached", e);
        }
    }
}
