using System.CommandLine;
using System.Diagnostics;
using Purr.Client;
using Purr.Protocol;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class ServerCommands
{
    private static readonly Argument<string> Address = Positional("address", "the server's purr://KEY@HOST:PORT address");

    public static Command Ping() =>
        new Command("ping", "check a server's key and time a round trip, through the first of its transports that answers").With(Address).Runs(PingAsync);

    private static async Task<int> PingAsync(CliContext context)
    {
        var text = context.Value(Address);
        if (!PurrAddress.TryParse(text, out var address, out var error))
        {
            throw new UsageException(error);
        }

        PurrConnection connection;
        using (new Spinner($"connecting to {address.Host}:{address.Port}"))
        {
            connection = await PurrConnection.ConnectAsync(address);
        }

        await using (connection)
        {
            var started = Stopwatch.GetTimestamp();
            await connection.PingAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Out.Result(
                new { address = address.ToString(), keyVerified = true, protocol = connection.Hello.MaxVersion, roundTripMs = elapsed, transport = connection.Endpoint.ToString() },
                $"ok: server key verified, protocol {connection.Hello.MaxVersion}, round trip {elapsed:F1} ms, via {connection.Endpoint}");
        }

        return 0;
    }
}
