using Purr.Bench.Clients;
using Purr.Bench.Targets;

namespace Purr.Bench.Scenarios;

/// <summary>S3: server resident memory growth per idle, fully connected client, at N connections.</summary>
internal static class IdleScenario
{
    public const string Name = "S3 idle connections";

    public static async Task<Measurement> RunAsync(ServerUnderTest server, IChatSystem system, int connections)
    {
        await Task.Delay(1000);
        var before = server.Process.ResidentBytes();
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
