using Purr.Protocol;
using Purr.TestKit;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// Several real purrd processes behind one identity, sharing one PostgreSQL database (fresh per cluster) and a
/// Redis: what an operator runs behind a load balancer (docs/scale-out.md). Each node has its own data directory
/// holding a copy of the same server.key.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly List<TemporaryDirectory> directories = [];
    private readonly TemporaryPostgresDatabase database;
    private readonly string redis;
    private readonly string[] settings;

    // A channel (and so room keys) of its own: clusters of tests running side by side never hear each other.
    private readonly string channel = $"purr:test:{Guid.NewGuid():N}";

    private Cluster(TemporaryPostgresDatabase database, string redis, string[] settings)
    {
        this.database = database;
        this.redis = redis;
        this.settings = settings;
    }

    public List<PurrdProcess?> Nodes { get; } = [];

    public PurrAddress this[int node] => Nodes[node]!.Address;

    /// <summary>A node's data directory (its admin socket is there).</summary>
    public string DataDirectory(int node) => directories[node].Path;

    /// <param name="settings">More command-line settings, the same for every node ("--Rooms:TransientGrace=00:00:01").</param>
    public static async Task<Cluster> StartAsync(int nodes, string? redis = null, params string[] settings)
    {
        var cluster = new Cluster(await TemporaryPostgresDatabase.CreateAsync(), redis ?? TestServices.Redis, settings);
        for (var i = 0; i < nodes; i++)
        {
            cluster.directories.Add(new TemporaryDirectory());
        }

        // The first node makes the server key; the others start with copies of it: one identity, many processes.
        cluster.Nodes.Add(await cluster.StartNodeAsync(0));
        for (var i = 1; i < nodes; i++)
        {
            File.Copy(Path.Combine(cluster.directories[0].Path, "server.key"), Path.Combine(cluster.directories[i].Path, "server.key"));
            cluster.Nodes.Add(await cluster.StartNodeAsync(i));
        }

        return cluster;
    }

    /// <summary>kill -9: no goodbye to anyone.</summary>
    public async Task KillAsync(int node)
    {
        await Nodes[node]!.SignalAsync("KILL");
        await Nodes[node]!.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Nodes[node]!.Dispose();
        Nodes[node] = null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node?.Dispose();
        }

        await database.DisposeAsync();
        foreach (var directory in directories)
        {
            directory.Dispose();
        }
    }

    private Task<PurrdProcess> StartNodeAsync(int index) => PurrdProcess.StartAsync(
        directories[index].Path,
        [
            "--storage", "postgres",
            $"--Postgres:ConnectionString={database.ConnectionString}",
            $"--Redis:Configuration={redis}",
            $"--Redis:Channel={channel}",
            "--Limits:FailedAuthsPerMinutePerIp=100000",
            "--Limits:ConnectionsPerMinutePerIp=100000",
            "--Rooms:CreationsPerMinutePerIp=100000",
            .. settings,
        ]);
}
