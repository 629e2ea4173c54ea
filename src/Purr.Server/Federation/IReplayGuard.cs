using Microsoft.Extensions.Options;

namespace Purr.Server.Federation;

/// <summary>What a replay check says of a packet's one-time key.</summary>
public enum ReplayVerdict
{
    Fresh,
    Replayed,

    /// <summary>The cache holds as many keys as it may: the packet waits (RATE_LIMITED), rather than an old key being forgotten.</summary>
    Full,
}

/// <summary>
/// Remembers the one-time keys of accepted packets (relay packets' ephemeral keys, onion layers' replay tags) for the
/// packets' whole window, so each is accepted once (PROTOCOL.md 15.3, 15.5). In this process by default; with the Redis
/// backplane, shared by every node behind one identity, so a packet cannot be replayed at another node. May throw
/// <see cref="Core.StoreUnavailableException"/> when the shared cache cannot be reached.
/// </summary>
public interface IReplayGuard
{
    /// <param name="scope">Which kind of key ("relay", "onion"): each kind has its own space.</param>
    ValueTask<ReplayVerdict> CheckAsync(string scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken);
}

/// <summary>The in-process replay guard: one bounded cache per scope (Federation:ReplayCacheEntries each).</summary>
public sealed class InProcessReplayGuard(IOptions<FederationOptions> options, TimeProvider time) : IReplayGuard
{
    private readonly ReplayCache relay = new(options.Value.ReplayCacheEntries, time);
    private readonly ReplayCache onion = new(options.Value.ReplayCacheEntries, time);

    /// <summary>How long a key must be remembered: the packets' sent_at window and then some.</summary>
    public static TimeSpan Window => ReplayCache.Window;

    public ValueTask<ReplayVerdict> CheckAsync(string scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        var cache = scope == "onion" ? onion : relay;
        return ValueTask.FromResult(cache.TryAdd(key.Span) switch
        {
            ReplayCache.Result.Replayed => ReplayVerdict.Replayed,
            ReplayCache.Result.Full => ReplayVerdict.Full,
            _ => ReplayVerdict.Fresh,
        });
    }
}
