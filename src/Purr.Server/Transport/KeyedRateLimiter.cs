namespace Purr.Server.Transport;

/// <summary>
/// A token bucket per key (an IP address, a mailbox, …): <c>perMinute</c> sustained, bursts of the same size.
/// Keys are held in memory only while their bucket is not full. Refusals say when the next token comes, for the
/// RATE_LIMITED answer's retry-after.
/// </summary>
public sealed class KeyedRateLimiter<TKey>(int perMinute, TimeProvider time)
    where TKey : notnull
{
    private const int PurgeAbove = 4096;
    private readonly Lock gate = new();
    private readonly Dictionary<TKey, Bucket> buckets = [];

    /// <summary>Keys with a bucket, read without the lock: HasToken runs on every request and mostly finds none.</summary>
    private volatile int tracked;

    public int PerMinute => perMinute;

    /// <summary>Takes a token; false (with the wait until the next one) when the key has none left.</summary>
    public bool TryTake(TKey key, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (perMinute <= 0)
        {
            retryAfter = TimeSpan.FromMinutes(1);
            return false;
        }

        var now = time.GetTimestamp();
        lock (gate)
        {
            var bucket = Refilled(key, now);
            if (bucket.Tokens < 1)
            {
                retryAfter = TimeSpan.FromMinutes((1 - bucket.Tokens) / perMinute);
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Whether the key has a token left, without taking it (and the wait if not).</summary>
    public bool HasToken(TKey key, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (tracked == 0 && perMinute > 0)
        {
            return true;
        }

        lock (gate)
        {
            if (!buckets.TryGetValue(key, out _))
            {
                return perMinute > 0;
            }

            var bucket = Refilled(key, time.GetTimestamp());
            if (bucket.Tokens >= perMinute)
            {
                // Full again: forget the key, so the lock-free path serves it (and everyone) from now on.
                buckets.Remove(key);
                tracked = buckets.Count;
                return true;
            }

            if (bucket.Tokens >= 1)
            {
                return true;
            }

            retryAfter = TimeSpan.FromMinutes((1 - bucket.Tokens) / perMinute);
            return false;
        }
    }

    private Bucket Refilled(TKey key, long now)
    {
        if (buckets.Count > PurgeAbove)
        {
            PurgeFull(now);
        }

        if (!buckets.TryGetValue(key, out var bucket))
        {
            buckets[key] = bucket = new Bucket { Tokens = perMinute, Last = now };
            tracked = buckets.Count;
        }

        Refill(bucket, now);
        return bucket;
    }

    private void Refill(Bucket bucket, long now)
    {
        var minutes = time.GetElapsedTime(bucket.Last, now).TotalMinutes;
        bucket.Last = now;
        bucket.Tokens = Math.Min(perMinute, bucket.Tokens + (minutes * perMinute));
    }

    private void PurgeFull(long now)
    {
        foreach (var (key, bucket) in buckets.ToList())
        {
            Refill(bucket, now);
            if (bucket.Tokens >= perMinute)
            {
                buckets.Remove(key);
            }
        }

        tracked = buckets.Count;
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long Last { get; set; }
    }
}
