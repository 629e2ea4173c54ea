using System.Diagnostics;
using System.Globalization;
using System.Text;
using Purr.Bench.Targets;
using Purr.Client;
using Purr.Crypto;

namespace Purr.Bench.Scenarios;

/// <summary>
/// S8: what transport isolation costs (README "Isolation"): a client of a home purrd holds N mailboxes on another
/// purrd (the destination) and listens to all of them: on one relayed connection (isolation "shared"), on one relayed
/// connection each ("auto" and "per-contact" for other servers), and, for comparison, on one direct connection each.
/// Reported: setting up (connections, mailboxes, subscriptions), resident memory the home and the destination grow
/// by per mailbox, and how long a message to each mailbox takes to arrive (all sent at once).
/// </summary>
internal static class IsolationScenario
{
    public const string Name = "S8 isolation";

    private static readonly string[] Federating =
    [
        "--Federation:Mode=open", "--Federation:AllowPrivateAddresses=true", "--Federation:MaxTunnelsPerConnection=100000",
        "--Federation:LinkRequestsPerSecond=1000000", "--Limits:RequestsPerSecond=100000", "--Limits:MaxConnectionsPerIp=100000",
        "--Limits:ConnectionsPerMinutePerIp=1000000", "--Federation:TunnelsPerMinutePerIp=10000000",
    ];

    public static async Task<List<Measurement>> RunAsync(int contacts, Action<Measurement> report)
    {
        var rows = new List<Measurement>();
        foreach (var mode in new[] { "shared: one relayed connection", "per contact: a relayed connection each", "per contact, direct: a connection each" })
        {
            await using var destination = await Launcher.PurrdAsync(extra: Federating, name: "destination");
            await using var home = await Launcher.PurrdAsync(extra: Federating, name: "home");
            await using var homeConnection = await PurrConnection.ConnectAsync(home.PurrAddress!);
            await using (var warm = await PurrConnection.ConnectThroughAsync(homeConnection, destination.PurrAddress!))
            {
                // The link, opened once before measuring (every mode but the direct one rides it).
                await warm.PingAsync();
            }

            await Task.Delay(1000);
            var homeBefore = home.Process.ResidentBytes();
            var destinationBefore = destination.Process.ResidentBytes();
            var connections = new List<PurrConnection>();
            var mailboxes = new List<(PurrConnection Connection, MailboxInfo Mailbox)>();
            var keys = new List<Ed25519KeyPair>();
            var setup = Stopwatch.StartNew();
            for (var i = 0; i < contacts; i++)
            {
                PurrConnection connection;
                if (mode.StartsWith("shared", StringComparison.Ordinal) && connections.Count > 0)
                {
                    connection = connections[0];
                }
                else
                {
                    connection = mode.Contains("direct", StringComparison.Ordinal)
                        ? await PurrConnection.ConnectAsync(destination.PurrAddress!)
                        : await PurrConnection.ConnectThroughAsync(homeConnection, destination.PurrAddress!);
                    connections.Add(connection);
                }

                var key = Ed25519KeyPair.Generate();
                keys.Add(key);
                var mailbox = await connection.CreateMailboxAsync(key);
                await connection.SubscribeAsync(mailbox.ReceiveId, key);
                mailboxes.Add((connection, mailbox));
            }

            setup.Stop();
            await Task.Delay(2000);
            var homeGrowth = home.Process.ResidentBytes() - homeBefore;
            var destinationGrowth = destination.Process.ResidentBytes() - destinationBefore;

            // One message to each mailbox, all sent at once from a client of the destination; each arrives on its connection.
            var latencies = new List<double>();
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sentAt = new Dictionary<string, long>();
            var readers = connections.Select(connection => Task.Run(async () =>
            {
                await foreach (var pushed in connection.Events.ReadAllAsync())
                {
                    if (pushed is MessageReceived message)
                    {
                        lock (latencies)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(sentAt[Convert.ToHexString(message.Payload)]).TotalMilliseconds);
                            if (latencies.Count == contacts)
                            {
                                arrived.TrySetResult();
                            }
                        }
                    }
                }
            })).ToList();
            await using (var sender = await PurrConnection.ConnectAsync(destination.PurrAddress!))
            {
                var all = Stopwatch.StartNew();
                for (var i = 0; i < contacts; i++)
                {
                    var payload = BitConverter.GetBytes(i);
                    lock (latencies)
                    {
                        sentAt[Convert.ToHexString(payload)] = Stopwatch.GetTimestamp();
                    }

                    await sender.SendAsync(mailboxes[i].Mailbox.SendId, payload);
                }

                await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
                all.Stop();
                latencies.Sort();
                var row = new Measurement(Name, mode, new Dictionary<string, double>
                {
                    ["mailboxes"] = contacts,
                    ["connections"] = connections.Count,
                    ["setup_ms_per_mailbox"] = setup.Elapsed.TotalMilliseconds / contacts,
                    ["home_kib_per_mailbox"] = homeGrowth / 1024.0 / contacts,
                    ["destination_kib_per_mailbox"] = destinationGrowth / 1024.0 / contacts,
                    ["all_arrived_ms"] = all.Elapsed.TotalMilliseconds,
                    ["p50_ms"] = latencies[latencies.Count / 2],
                    ["p99_ms"] = latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))],
                });
                rows.Add(row);
                report(row);
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            await Task.WhenAll(readers);
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }

        return rows;
    }

    public static string Markdown(IReadOnlyList<Measurement> rows, string machine, DateTime when)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured by `bash bench/run.sh isolation` on {when:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine(machine);
        md.AppendLine();
        md.AppendLine("A client of one purrd (its home) holds N mailboxes on a second purrd and subscribes to each; then a client of the");
        md.AppendLine("second purrd sends one message to every mailbox, all at once. Memory is each server's resident set growth over the");
        md.AppendLine("set-up, per mailbox (a mailbox in memory storage costs the same in every mode; the difference is the connections).");
        md.AppendLine();
        md.AppendLine("| isolation | mailboxes | connections | set-up per mailbox | home's memory per mailbox | destination's memory per mailbox | all arrived | p50 | p99 |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.System} | {row["mailboxes"]:N0} | {row["connections"]:N0} | {row["setup_ms_per_mailbox"]:F2} ms | {row["home_kib_per_mailbox"]:F1} KiB | {row["destination_kib_per_mailbox"]:F1} KiB | {row["all_arrived_ms"]:N0} ms | {row["p50_ms"]:F1} ms | {row["p99_ms"]:F1} ms |");
        }

        return md.ToString();
    }
}
