using System.Diagnostics;

namespace Purr.Bench.Scenarios;

/// <summary>Latencies in milliseconds from a scheduled send time written into the payload's first 8 bytes.</summary>
internal sealed class LatencyRecorder
{
    private readonly Lock gate = new();
    private readonly List<double> samples = [];

    public long Count
    {
        get
        {
            lock (gate)
            {
                return samples.Count;
            }
        }
    }

    public long LastReceiveTimestamp { get; private set; }

    public static void Stamp(byte[] payload, long scheduledTimestamp) => BitConverter.TryWriteBytes(payload, scheduledTimestamp);

    public static long ReadStamp(ReadOnlySpan<byte> payload) => BitConverter.ToInt64(payload);

    public void Record(ReadOnlySpan<byte> payload)
    {
        var now = Stopwatch.GetTimestamp();
        var scheduled = ReadStamp(payload);
        var latency = Stopwatch.GetElapsedTime(scheduled, now).TotalMilliseconds;
        lock (gate)
        {
            samples.Add(latency);
            LastReceiveTimestamp = now;
        }
    }

    public double Percentile(double p)
    {
        lock (gate)
        {
            if (samples.Count == 0)
            {
                return double.NaN;
            }

            var sorted = samples.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }
}
