using System.Net;

namespace Purr.Server.Transport;

/// <summary>
/// A token bucket per IP address: <c>perMinute</c> sustained, bursts of the same size. For expensive work
/// that any connection may ask for (Argon2id, creating rooms), so one address cannot spend the server's CPU
/// or memory by opening more connections. Addresses are held in memory only while their bucket is not full.
/// </summary>
public sealed class AddressRateLimiter(int perMinute, TimeProvider time)
{
    private const int PurgeAbove = 4096;
    private readonly Lock gate = new();
    private readonly Dictionary<IPAddress, Bucket> buckets = [];

    public bool TryTake(IPAddress? address)
    {
        address = AddressCounter.Normalize(address);
        var now = time.GetTimestamp();
        lock (gate)
        {
            if (buckets.Count > PurgeAbove)
            {
                PurgeFull(now);
            }

            if (!buckets.TryGetValue(address, out var bucket))
            {
                buckets[address] = bucket = new Bucket { Tokens = perMinute, Last = now };
            }

            Refill(bucket, now);
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private void Refill(Bucket bucket, long now)
    {
        var minutes = time.GetElapsedTime(bucket.Last, now).TotalMinutes;
        bucket.Last = now;
        bucket.Tokens = Math.Min(perMinute, bucket.Tokens + (minutes * perMinute));
    }

    private void PurgeFull(long now)
    {
        foreach (var (address, bucket) in buckets.ToList())
        {
            Refill(bucket, now);
            if (bucket.Tokens >= perMinute)
            {
                buckets.Remove(address);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long Last { get; set; }
    }
}
