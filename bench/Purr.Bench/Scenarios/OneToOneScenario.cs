using System.Diagnostics;
using Purr.Bench.Clients;

namespace Purr.Bench.Scenarios;

/// <summary>S1: 1 KiB messages at a constant offered rate between pairs of connected clients.</summary>
internal static class OneToOneScenario
{
    public const string Name = "S1 one-to-one";

    /// <summary>The payload byte after the 8-byte send stamp: which phase sent the message.</summary>
    private const int PhaseByte = 8;
    private const byte WarmUp = 0;
    private const byte Measured = 1;

    /// <param name="serverCpu">The servers' CPU time so far: the row then says how much of it one delivered message cost.</param>
    public static async Task<Measurement> RunAsync(IChatSystem system, RunSize size, Func<TimeSpan>? serverCpu = null)
    {
        var clients = await Connecting.ManyAsync(size.OneToOneClients, 50, system.ConnectAsync);
        // Each payload says which phase sent it, so a warm-up message arriving late is never counted as measured.
        var warmUp = new LatencyRecorder();
        var recorder = new LatencyRecorder();
        foreach (var client in clients)
        {
            client.OnMessage = payload => (payload.Span[PhaseByte] == Measured ? recorder : warmUp).Record(payload.Span);
        }

        var template = new byte[1024];
        Random.Shared.NextBytes(template);
        Task<(long Sent, long Failed, long StartTimestamp)> SendAsync(byte phase, TimeSpan duration) =>
            ConstantRateSender.RunAsync(size.OneToOneRate, duration, (k, scheduled) =>
            {
                var from = (int)(k % clients.Count);
                var payload = (byte[])template.Clone();
                LatencyRecorder.Stamp(payload, scheduled);
                payload[PhaseByte] = phase;
                return clients[from].SendAsync(clients[from ^ 1], payload);
            });

        if (size.OneToOneWarmUp > TimeSpan.Zero)
        {
            var (warmUpSent, _, _) = await SendAsync(WarmUp, size.OneToOneWarmUp);
            await DrainAsync(warmUp, warmUpSent);
        }

        var cpuBefore = serverCpu?.Invoke();
        var generatorBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (sent, failed, start) = await SendAsync(Measured, size.OneToOneDuration);

        await DrainAsync(recorder, sent);
        var cpuUsed = serverCpu?.Invoke() - cpuBefore;
        var generatorUsed = Process.GetCurrentProcess().TotalProcessorTime - generatorBefore;
        var seconds = Stopwatch.GetElapsedTime(start, recorder.LastReceiveTimestamp).TotalSeconds;
        var result = new Measurement(Name, system.Name, new Dictionary<string, double>
        {
            ["clients"] = clients.Count,
            ["offered_per_s"] = size.OneToOneRate,
            ["sent"] = sent,
            ["failed"] = failed,
            ["delivered"] = recorder.Count,
            ["delivered_per_s"] = recorder.Count / Math.Max(seconds, 0.001),
            ["p50_ms"] = recorder.Percentile(50),
            ["p99_ms"] = recorder.Percentile(99),
            ["p999_ms"] = recorder.Percentile(99.9),
        });
        if (cpuUsed is { } cpu && recorder.Count > 0)
        {
            // Sending and draining only (not connecting): what the servers spent per message delivered.
            result.Values["server_cpu_us_per_msg"] = cpu.TotalMicroseconds / recorder.Count;
            // How many cores' worth the servers used while sending and draining: above 1, no lock or thread holds the
            // server to one core; with the CPU per message unchanged, capacity then grows with the cores it is given.
            result.Values["server_cores_busy"] = cpu.TotalSeconds / Math.Max(seconds, 0.001);
        }

        if (recorder.Count > 0)
        {
            // The load generator's own share (every client's sends, receives and acks): on a machine whose cores the
            // generator shares with the server, it says how much of them the server could have had.
            result.Values["generator_cpu_us_per_msg"] = generatorUsed.TotalMicroseconds / recorder.Count;
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    /// <summary>Waits until every message arrived, or nothing arrived for 3 seconds.</summary>
    public static async Task DrainAsync(LatencyRecorder recorder, long expected)
    {
        var last = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        while (recorder.Count < expected)
        {
            await Task.Delay(50);
            if (recorder.Count != last)
            {
                last = recorder.Count;
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) > TimeSpan.FromSeconds(3))
            {
                return;
            }
        }
    }
}
