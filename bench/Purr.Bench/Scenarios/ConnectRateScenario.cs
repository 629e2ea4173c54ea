using System.Diagnostics;
using Purr.Bench.Clients;
using Purr.Bench.Targets;
using Purr.Client;
using Purr.Crypto;

namespace Purr.Bench.Scenarios;

/// <summary>S4: new connections per second, each through its handshake (Purr: hello, server key check, subscribe; with the mailbox key or signed).</summary>
internal static class ConnectRateScenario
{
    public const string Name = "S4 connect rate";

    /// <summary>
    /// Purr and the relay first take as many connections again, closed before the measured ones, then settle: a fresh .NET process
    /// spends its first thousands of connections compiling (tiered JIT; a perf profile of purrd in an unwarmed S4 had a
    /// third of its CPU in the JIT and the runtime's type loading), which is start-up (S5). Warming up with a quarter as
    /// many and settling for 1 s took Purr from 870 to 730 µs a connection and the relay from 295 to 342 (noise); as many
    /// and 3 s, to 640 and 225: both were still compiling.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>The row of a client connecting for the first time to a mailbox: the hello and the subscribe signed.</summary>
    public const string SignedSystem = "Purr, first connection (signed)";

    /// <summary>
    /// Purr's connections, each to a mailbox that exists beforehand. <paramref name="withMailboxKeys"/>: as a client that
    /// has connected before and holds the mailbox's key (PROTOCOL.md 4): its hello names the mailbox, so the server proves
    /// itself with a MAC, and the subscribe carries a MAC too; otherwise as a first connection: the server signs the hello,
    /// the client verifies it, and the subscribe is signed and verified.
    /// </summary>
    public static async Task<Measurement> PurrAsync(ServerUnderTest server, int count, bool withMailboxKeys = true)
    {
        var warmUp = count;
        var setup = await PurrConnection.ConnectAsync(server.PurrAddress!);
        var keys = Enumerable.Range(0, warmUp + count).Select(_ => Ed25519KeyPair.Generate()).ToList();
        var mailboxes = new List<MailboxInfo>();
        var credentials = new List<MailboxCredential>();
        foreach (var key in keys)
        {
            var mailbox = await setup.CreateMailboxAsync(key);
            mailboxes.Add(mailbox);
            if (withMailboxKeys)
            {
                credentials.Add(await setup.GetMailboxKeyAsync(mailbox.ReceiveId, key));
            }
        }

        async Task<PurrConnection> ConnectAndSubscribeAsync(int i)
        {
            if (!withMailboxKeys)
            {
                var signed = await PurrConnection.ConnectAsync(server.PurrAddress!);
                await signed.SubscribeAsync(mailboxes[i].ReceiveId, keys[i]);
                return signed;
            }

            var connection = await PurrConnection.ConnectAsync(server.PurrAddress!, new PurrConnectionOptions { HelloMailbox = credentials[i] });
            await connection.SubscribeAsync(credentials[i]);
            return connection;
        }

        await CloseAllAsync(await Connecting.ManyAsync(warmUp, 64, i => ConnectAndSubscribeAsync(count + i)));
        await Task.Delay(Settle);

        var cpu = server.CpuTime();
        var started = Stopwatch.GetTimestamp();
        var connections = await Connecting.ManyAsync(count, 64, ConnectAndSubscribeAsync);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        cpu = server.CpuTime() - cpu;
        await CloseAllAsync(connections);
        await setup.DisposeAsync();
        keys.ForEach(k => k.Dispose());
        return withMailboxKeys
            ? Result(server.Name, count, seconds, cpu, "hello + key check + subscribe, proven with the mailbox key (a client that connected before)")
            : Result(SignedSystem, count, seconds, cpu, "hello + key check + subscribe, signed (a first connection)");
    }

    /// <param name="warmUp">For the .NET relay; not for the XMPP servers, which do not compile as they go (Lua, and
    /// Erlang's JIT at load) and would only double their minute-long runs.</param>
    public static async Task<Measurement> GenericAsync(ServerUnderTest server, IChatSystem system, int count, string what, bool warmUp)
    {
        if (warmUp)
        {
            await CloseAllAsync(await Connecting.ManyAsync(count, 64, system.ConnectAsync));
            await Task.Delay(Settle);
        }

        var cpu = server.CpuTime();
        var started = Stopwatch.GetTimestamp();
        var clients = await Connecting.ManyAsync(count, 64, system.ConnectAsync);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        cpu = server.CpuTime() - cpu;
        await CloseAllAsync(clients);
        return Result(server.Name, count, seconds, cpu, what);
    }

    private static async Task CloseAllAsync<T>(IEnumerable<T> clients)
        where T : IAsyncDisposable
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>
    /// The server's CPU per connection beside the rate: the load generator shares the cores and Purr's client does more
    /// per connection than the relay's (it verifies the server's proof and signs its subscribe), so the rate alone
    /// mixes the two sides' costs.
    /// </summary>
    private static Measurement Result(string system, int count, double seconds, TimeSpan cpu, string what) =>
        new(Name, system, new Dictionary<string, double>
        {
            ["connections"] = count,
            ["connections_per_s"] = count / seconds,
            ["server_cpu_us_per_connection"] = cpu.TotalMicroseconds / count,
        }, what);
}
