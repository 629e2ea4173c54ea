namespace Purr.Server.Sessions;

/// <summary>A token bucket per connection: a sustained rate with bursts of up to twice that.</summary>
internal sealed class RequestRateLimiter(int perSecond, TimeProvider time)
{
    private readonly double capacity = perSecond * 2.0;
    private double tokens = perSecond * 2.0;
    private long last = time.GetTimestamp();

    public bool TryTake()
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(last, now).TotalSeconds;
        last = now;
        tokens = Math.Min(capacity, tokens + (elapsed * perSecond));
        if (tokens < 1)
        {
            return false;
        }

        tokens -= 1;
        return true;
    }
}
