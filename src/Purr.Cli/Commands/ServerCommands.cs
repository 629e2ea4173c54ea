using System.Diagnostics;
using Purr.Client;
using Purr.Protocol;

namespace Purr.Cli.Commands;

internal static class ServerCommands
{
    public static async Task<int> PingAsync(CliContext context)
    {
        var text = context.Line.Argument(0, "a purr:// address");
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
                new { address = address.ToString(), keyVerified = true, protocol = connection.Hello.MaxVersion, roundTripMs = elapsed },
                $"ok: server key verified, protocol {connection.Hello.MaxVersion}, round trip {elapsed:F1} ms");
        }

        return 0;
    }
}
