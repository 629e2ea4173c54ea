using System.Buffers.Binary;

namespace Purr.Server.Federation;

/// <summary>
/// The ephemeral keys of the relay packets this process accepted, each remembered for the packets' whole window
/// (<see cref="Window"/>), so a packet replayed by a proxy (or anyone on a link) is refused. Bounded: when full, new
/// packets are refused until old entries expire, rather than forgetting one that could then be replayed.
/// </summary>
internal sealed class ReplayCache(int capacity, TimeProvider time)
{
    /// <summary>A packet's sent_at may be 5 minutes old or 1 minute ahead; an entry outlives both ends.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(6);

    private readonly Lock gate = new();
    private readonly HashSet<(UInt128, UInt128)> seen = [];
    private readonly Queue<((UInt128, UInt128) Key, long ExpiresAt)> order = new();

    public enum Result
    {
        Fresh,
        Replayed,
        Full,
    }

    public Result TryAdd(ReadOnlySpan<byte> ephemeralKey)
    {
        var key = (BinaryPrimitives.ReadUInt128LittleEndian(ephemeralKey), BinaryPrimitives.ReadUInt128LittleEndian(ephemeralKey[16..]));
        var now = time.GetUtcNow().UtcTicks;
        lock (gate)
        {
            while (order.TryPeek(out var oldest) && oldest.ExpiresAt <= now)
            {
                order.Dequeue();
                seen.Remove(oldest.Key);
            }

            if (seen.Contains(key))
            {
                return Result.Replayed;
            }

            if (seen.Count >= capacity)
            {
                return Result.Full;
            }

            seen.Add(key);
            order.Enqueue((key, now + Window.Ticks));
            return Result.Fresh;
        }
    }
}
