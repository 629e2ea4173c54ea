using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Purr.Protocol;
using Purr.Protocol.Lan;
using Purr.Server.Host;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>
/// `purr lan`: a small mailbox server inside the CLI for people on one local network without the internet. It is
/// purrd itself (mailboxes and rooms, SQLite in the profile's lan/ folder, so its key and its mailboxes outlive a
/// restart), listening on the network and announced by multicast DNS, until Ctrl-C.
/// </summary>
internal static class LanCommand
{
    private static readonly Option<int> Port = new("--port")
    {
        Description = "the TCP port to listen on (0: any free port)",
        HelpName = "PORT",
        DefaultValueFactory = _ => PurrAddress.DefaultPort,
    };

    private static readonly Option<string[]> Interfaces = new("--interface")
    {
        Description = "the IPv4 or IPv6 address of an interface to serve and announce on (repeatable; default: every interface that is up, not loopback)",
        HelpName = "IP",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> Name = Text("--name", "the name others see in 'purr servers --lan' (default: purr- and the start of the server key)", "NAME");

    public static Command Build() =>
        new Command("lan", "run a mailbox server on this network for people nearby, announced to 'purr servers --lan' (Ctrl-C stops it)")
            .With(Port, Interfaces, Name).Runs(RunAsync);

    private static async Task<int> RunAsync(CliContext context)
    {
        var port = context.Value(Port);
        if (port is < 0 or > 65535)
        {
            throw new UsageException("--port takes 0 to 65535");
        }

        var configured = context.Value(Interfaces) ?? [];
        if (configured.Any(a => !System.Net.IPAddress.TryParse(a, out var ip) || ip.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6)))
        {
            throw new UsageException("--interface takes an IPv4 or IPv6 address");
        }

        var interfaces = PurrServiceDiscovery.Interfaces(configured);
        if (interfaces.Count == 0)
        {
            throw new UsageException("no network interface to serve on (none is up besides loopback); name one with --interface");
        }

        var data = Path.Combine(context.ProfileDirectory, "lan");
        Directory.CreateDirectory(data);
        List<string> args =
        [
            "--urls", string.Join(';', interfaces.Select(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"http://[{ip}]:{port}" : $"http://{ip}:{port}")),
            "--storage", "sqlite",
            "--data", data,
            "--Modules:0=mailboxes", "--Modules:1=rooms",
            "--Web:Enabled=false",
            "--Lan:Announce=true",
            "--Logging:LogLevel:Default=Warning",
        ];
        args.AddRange(interfaces.Select((ip, i) => $"--Lan:Interfaces:{i}={ip}"));
        if (context.Value(Name) is { Length: > 0 } name)
        {
            args.Add($"--Lan:Name={name}");
        }

        await using var app = await PurrHost.BuildAsync([.. args]);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot listen on port {port.ToString(CultureInfo.InvariantCulture)} ({e.Message}); choose another with --port");
        }

        var key = app.Services.GetRequiredService<Purr.Server.Identity.ServerIdentity>().IdentityKey;
        var bound = new Uri(app.Urls.First()).Port;
        var addresses = interfaces.Select(ip => new PurrAddress(key, ip.ToString(), bound).ToString()).ToList();
        context.Out.Result(
            new { addresses, data },
            string.Join('\n', addresses.Select(a => $"LAN server: {a}"))
            + $"\nannounced on the local network ('purr servers --lan' finds it); mailboxes kept in {data}; Ctrl-C stops it");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
