using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

// purr: the Purr terminal client. This first version checks a server; contacts and chat follow.
const string Usage = """
    usage:
      purr ping <purr://fingerprint@host:port>   connect, verify the server's key, and measure a round trip
      purr --version
    """;

if (args.Length == 1 && args[0] == "--version")
{
    Console.WriteLine($"purr {typeof(PurrConnection).Assembly.GetName().Version}");
    return 0;
}

if (args.Length != 2 || args[0] != "ping")
{
    Console.Error.WriteLine(Usage);
    return 2;
}

if (!PurrAddress.TryParse(args[1], out var address, out var error))
{
    Console.Error.WriteLine($"purr: {error}");
    return 2;
}

try
{
    Sodium.EnsureAvailable();
    await using var connection = await PurrConnection.ConnectAsync(address);
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    await connection.PingAsync();
    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
    Console.WriteLine($"ok: server key verified, protocol {connection.Hello.MaxVersion}, round trip {elapsed.TotalMilliseconds:F1} ms");
    return 0;
}
catch (SodiumUnavailableException e)
{
    Console.Error.WriteLine($"purr: {e.Message}");
    return 1;
}
catch (PurrClientException e)
{
    Console.Error.WriteLine($"purr: {e.Message}");
    return 1;
}
