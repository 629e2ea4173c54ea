using System.Collections.Concurrent;

namespace Purr.Server.Transport;

/// <summary>
/// One timer for every pipe connection's idle timeout and keep-alive, instead of two timers (and a linked cancellation
/// source) per connection: like Kestrel's heartbeat, it looks at each open connection once a period and lets it act on
/// what it sees (<see cref="PipeChannel.Beat"/>). An idle connection then costs a dictionary entry, not two timers,
/// and a received frame costs a timestamp, not a timer re-armed under the timer queue's lock. The period is a quarter
/// of the shortest interval any open connection asked for, at most a second (the settings' defaults: 30 s and 90 s),
/// so a keep-alive or an idle close comes at most one period late.
/// </summary>
internal static class ConnectionHeartbeat
{
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(10);
    private static readonly ConcurrentDictionary<PipeChannel, byte> Channels = new();
    private static readonly Lock Gate = new();
    private static ITimer? timer;
    private static TimeSpan period = MaxPeriod;

    /// <summary>Open connections it looks at (for the tests).</summary>
    public static int Count => Channels.Count;

    /// <param name="shortest">The shortest of the channel's intervals: the heartbeat beats at least four times within it.</param>
    public static void Add(PipeChannel channel, TimeSpan shortest)
    {
        Channels.TryAdd(channel, 0);
        var wanted = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, MinPeriod.Ticks, MaxPeriod.Ticks));
        if (timer is not null && wanted >= period)
        {
            return;
        }

        lock (Gate)
        {
            if (timer is null)
            {
                period = wanted;
                // Process-wide and never stopped: with no connection open a beat costs an empty enumeration.
                timer = TimeProvider.System.CreateTimer(static _ => Beat(), null, period, period);
            }
            else if (wanted < period)
            {
                // A server configured for shorter intervals (the tests') speeds it up for everyone; it never slows down
                // again, which costs only beats.
                period = wanted;
                timer.Change(period, period);
            }
        }
    }

    public static void Remove(PipeChannel channel) => Channels.TryRemove(channel, out _);

    private static void Beat()
    {
        var now = Environment.TickCount64;
        foreach (var (channel, _) in Channels)
        {
            channel.Beat(now);
        }
    }
}
