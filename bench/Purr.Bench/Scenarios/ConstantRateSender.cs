using System.Collections.Concurrent;
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
        var reasons = new ConcurrentDictionary<string, int>();
        void Failed(Task task)
        {
            Interlocked.Increment(ref failed);
            reasons.AddOrUpdate(Reason(task.Exception), 1, (_, n) => n + 1);
        }

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
                    inFlight.Add(task.ContinueWith(t => { if (t.IsFaulted) { Failed(t); } }, TaskScheduler.Default));
                }
                else if (task.IsFaulted)
                {
                    Failed(task);
                }
            }

            if (inFlight.Count > 10_000)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);

        // Failures are part of the result: say what they were (to stderr, beside the figures).
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value))
        {
            Console.Error.WriteLine($"  failed sends: {count:N0} × {reason}");
        }

        return (sent, failed, start);
    }

    private static string Reason(AggregateException? failure) => failure?.InnerException switch
    {
        null => "unknown",
        Purr.Client.PurrProtocolException refused => $"refused: {refused.Code}",
        var other => $"{other.GetType().Name}: {other.Message}",
    };
}
