using System.Diagnostics;
using Purr.Bench.Clients;
using Purr.Bench.Targets;
using Purr.Client;
using Purr.Crypto;

namespace Purr.Bench.Scenarios;

/// <summary>S4: new connections per second, each through its handshake (Purr: hello, server key check, signed subscribe).</summary>
internal static class ConnectRateScenario
{
    public const string Name = "S4 connect rate";

    public static async Task<Measurement> PurrAsync(ServerUnderTest server, int count)
    {
        // Mailboxes exist beforehand; each new connection proves its key and subscribes to one.
        var setup = await PurrConnection.ConnectAsync(server.PurrAddress!);
        var keys = Enumerable.Range(0, count).Select(_ => Ed25519KeyPair.Generate()).ToList();
        var mailboxes = new List<MailboxInfo>();
        foreach (var key in keys)
        {
            mailboxes.Add(await setup.CreateMailboxAsync(key));
        }

        var started = Stopwatch.GetTimestamp();
        var connections = await Connecting.ManyAsync(count, 64, async i =>
        {
            var connection = await PurrConnection.ConnectAsync(server.PurrAddress!);
            await connection.SubscribeAsync(mailboxes[i].ReceiveId, keys[i]);
            return connection;
        });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await setup.DisposeAsync();
        keys.ForEach(k => k.Dispose());
        return Result(server.Name, count, seconds, "hello + key check + signed subscribe");
    }

    public static async Task<Measurement> GenericAsync(ServerUnderTest server, IChatSystem system, int count, string what)
    {
        var started = Stopwatch.GetTimestamp();
        var clients = await Connecting.ManyAsync(count, 64, system.ConnectAsync);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return Result(server.Name, count, seconds, what);
    }

    private static Measurement Result(string system, int count, double seconds, string what) =>
        new(Name, system, new Dictionary<string, double> { ["connections"] = count, ["connections_per_s"] = count / seconds }, what);
}
