using System.Diagnostics;

namespace Purr.Bench.Scenarios;

/// <summary>
/// Open-loop load: message k is due at start + k/rate, and carries that due time, so a slow system
/// shows up as latency instead of quietly lowering the offered rate (no coordinated omission).
/// </summary>
internal static class ConstantRateSender
{
    public static async Task<(long Sent, long Failed, long StartTimestamp)> RunAsync(
        int ratePerSecond, TimeSpan duration, Func<long, long, Task> send)
    {
        var total = (long)(ratePerSecond * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        long failed = 0;
        var inFlight = new List<Task>();
        while (sent < total)
        {
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var due = Math.Min(total, (long)(elapsed * ratePerSecond) + 1);
            for (; sent < due; sent++)
            {
                var scheduled = start + (long)(sent * (double)Stopwatch.Frequency / ratePerSecond);
                var task = send(sent, scheduled);
                if (!task.IsCompleted)
                {
                    inFlight.Add(task.ContinueWith(t => { if (t.IsFaulted) { Interlocked.Increment(ref failed); } }, TaskScheduler.Default));
                }
                else if (task.IsFaulted)
                {
                    failed++;
                }
            }

            if (inFlight.Count > 10_000)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
        return (sent, failed, start);
    }
}
