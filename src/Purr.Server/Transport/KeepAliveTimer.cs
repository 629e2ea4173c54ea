namespace Purr.Server.Transport;

/// <summary>
/// Calls <c>onQuiet</c> (which queues a keep-alive) once nothing was sent for a ping interval, as the Noise channels
/// (MQTT, tunnels) promise (PROTOCOL.md section 2); the pipe channels use <see cref="ConnectionHeartbeat"/> instead.
/// One timer per connection, re-armed for the rest of the interval
/// when something went out meanwhile, so a busy connection pays a timestamp per frame and nothing more.
/// </summary>
internal sealed class KeepAliveTimer : IDisposable
{
    /// <summary>The keep-alive itself: no payload (a bare length of 0 in the raw framing, an empty plaintext under Noise).</summary>
    public static readonly OutboundFrame Frame = new(null, ReadOnlyMemory<byte>.Empty);

    private readonly TimeSpan interval;
    private readonly Action onQuiet;
    private readonly ITimer timer;
    private long lastSent = Environment.TickCount64;

    public KeepAliveTimer(TimeSpan interval, Action onQuiet)
    {
        this.interval = interval;
        this.onQuiet = onQuiet;
        timer = TimeProvider.System.CreateTimer(static state => ((KeepAliveTimer)state!).OnDue(), this, interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Something went out now.</summary>
    public void Sent() => Volatile.Write(ref lastSent, Environment.TickCount64);

    public void Dispose() => timer.Dispose();

    private void OnDue()
    {
        var quiet = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref lastSent));
        var next = interval;
        if (quiet >= interval)
        {
            onQuiet();
        }
        else
        {
            next = interval - quiet;
        }

        try
        {
            timer.Change(next, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }
}
