using System.Net;

namespace Purr.Server.Transport;

/// <summary>
/// A token bucket per IP address (<see cref="KeyedRateLimiter{TKey}"/>), for work any connection may ask for
/// (Argon2id, creating rooms, new connections), so one address cannot spend the server by opening more
/// connections. IPv4-mapped addresses count as IPv4.
/// </summary>
public sealed class AddressRateLimiter(int perMinute, TimeProvider time)
{
    private readonly KeyedRateLimiter<IPAddress> limiter = new(perMinute, time);

    public bool TryTake(IPAddress? address) => limiter.TryTake(AddressCounter.Normalize(address), out _);

    public bool TryTake(IPAddress? address, out TimeSpan retryAfter) => limiter.TryTake(AddressCounter.Normalize(address), out retryAfter);

    public bool HasToken(IPAddress? address, out TimeSpan retryAfter) => limiter.HasToken(AddressCounter.Normalize(address), out retryAfter);
}
