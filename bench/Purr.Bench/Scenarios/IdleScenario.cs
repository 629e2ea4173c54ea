using Purr.Bench.Clients;
using Purr.Bench.Targets;

namespace Purr.Bench.Scenarios;

/// <summary>S3: server resident memory growth per idle, fully connected client, at N connections.</summary>
internal static class IdleScenario
{
    public const string Name = "S3 idle connections";

    public static async Task<Measurement> RunAsync(ServerUnderTest server, IChatSystem system, int connections)
    {
        var before = await SettledResidentBytesAsync(server);
        var clients = await Connecting.ManyAsync(connections, 100, system.ConnectAsync);
        await Task.Delay(3000);
        if (Environment.GetEnvironmentVariable("PURR_BENCH_HOLD_SECONDS") is { } hold)
        {
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(hold, System.Globalization.CultureInfo.InvariantCulture)));
        }

        var after = server.Process.ResidentBytes();
        var result = new Measurement(Name, server.Name, new Dictionary<string, double>
        {
            ["connections"] = clients.Count,
            ["rss_before_mib"] = before / 1048576.0,
            ["rss_after_mib"] = after / 1048576.0,
            ["kib_per_connection"] = (after - before) / 1024.0 / clients.Count,
        });
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    /// <summary>
    /// The server's RSS once start-up has settled: two readings half a second apart within 256 KiB, after at least a
    /// second (at most 15 s). ejabberd's VM gives back some 15 MiB in its first seconds, which a fixed second missed.
    /// </summary>
    private static async Task<long> SettledResidentBytesAsync(ServerUnderTest server)
    {
        await Task.Delay(1000);
        var last = server.Process.ResidentBytes();
        for (var waited = 0; waited < 28; waited++)
        {
            await Task.Delay(500);
            var now = server.Process.ResidentBytes();
            if (Math.Abs(now - last) < 256 * 1024)
            {
                return now;
            }

            last = now;
        }

        return last;
    }
}

/// <summary>Idle clients: connected and ready, sending nothing (Purr: hello done; no mailbox).</summary>
internal sealed class IdleSystems
{
    public static IChatSystem Purr(ServerUnderTest server) => new PurrIdle(server);

    private sealed class PurrIdle(ServerUnderTest server) : IChatSystem
    {
        public string Name => "Purr";

        public async Task<IChatClient> ConnectAsync(int index) => new Holder(await global::Purr.Client.PurrConnection.ConnectAsync(server.PurrAddress!));
    }

    private sealed class Holder(global::Purr.Client.PurrConnection connection) : IChatClient
    {
        public Action<ReadOnlyMemory<byte>>? OnMessage { get; set; }

        public Task SendAsync(IChatClient peer, byte[] payload) => Task.CompletedTask;

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
