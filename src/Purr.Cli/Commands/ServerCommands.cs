using Purr.Client.Federation;
using System.CommandLine;
using System.Diagnostics;
using Purr.Client;
using Purr.Protocol;
using Purr.Protocol.Lan;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class ServerCommands
{
    private static readonly Argument<string> Address = Positional("address", "the server's purr://KEY@HOST:PORT address");

    private static readonly Option<bool> Lan = Flag("--lan", "find Purr servers on the local network (multicast DNS) instead");
    private static readonly Option<double> Wait = Seconds("--wait", "how long to listen for answers on the local network", 2);
    private static readonly Option<string[]> Interfaces = new("--interface")
    {
        Description = "the IPv4 or IPv6 address of an interface to search on (repeatable; default: every interface that is up, not loopback)",
        HelpName = "IP",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Servers() =>
        new Command("servers", "the servers this profile uses, each checked, or with --lan the Purr servers on the local network")
            .With(Lan, Wait, Interfaces).Runs(ServersAsync);

    public static Command Ping() =>
        new Command("ping", "check a server's key and time a round trip, through the first of its transports that answers").With(Address).Runs(PingAsync);

    private static async Task<int> ServersAsync(CliContext context)
    {
        if (context.Value(Lan))
        {
            return await LanServersAsync(context);
        }

        await using var messenger = context.OpenMessenger();
        var data = messenger.Data;
        // Home first, then where contacts' and rooms' mailboxes live; one entry per server whatever transports it lists.
        var servers = new[] { data.Server }
            .Concat(data.Contacts.SelectMany(c => c.Inbox.Select(m => m.Server).Append(c.Outbox?.Server ?? "")))
            .Concat(data.Rooms.Select(r => Client.Rooms.RoomLink.Parse(r.State.Link).Invite.Server))
            .Where(s => PurrAddress.TryParse(s, out _, out _))
            .DistinctBy(s => PurrAddress.Parse(s).WithoutTransports().ToString())
            .ToList();
        var checks = await Task.WhenAll(servers.Select(async server =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var connection = await PurrConnection.ConnectAsync(
                    PurrAddress.Parse(server), new PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(5) });
                return (server, reachable: true, via: connection.Endpoint.ToString(), ms: Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (PurrClientException e)
            {
                return (server, reachable: false, via: e.Message, ms: 0.0);
            }
        }));
        var catalog = await CatalogAsync(messenger, servers, checks.Where(c => c.reachable).Select(c => c.server));
        context.Out.Result(
            new
            {
                servers = checks.Select(c => new { address = c.server, home = c.server == data.Server, reachable = c.reachable, transport = c.reachable ? c.via : null, error = c.reachable ? null : c.via }).ToList(),
                catalog = catalog.Select(c => new { address = c.Entry.Address.ToString(), listedBy = c.Entry.ListedBy.ToString(), relays = c.Entry.Relays, reachable = c.Reachable, error = c.Error }).ToList(),
            },
            string.Join('\n', checks.Select(c => $"{c.server}{(c.server == data.Server ? " (home)" : "")}\t{(c.reachable ? $"reachable via {c.via}, {c.ms:F0} ms" : $"unreachable: {c.via}")}")
                .Concat(catalog.Select(c => $"{c.Entry.Address} (listed by {c.Entry.ListedBy.Host}:{c.Entry.ListedBy.Port}{(c.Entry.Relays ? ", relays" : "")})\t"
                    + (c.Reachable is true ? "reachable through your server" : c.Reachable is false ? $"unreachable through your server: {c.Error}" : $"not checked: {c.Error}")))));
        return 0;
    }

    /// <summary>
    /// The catalogs of the reachable servers this profile uses (they see this device's address anyway), merged; each
    /// listed server is checked through the home server (RelayKeys: it links to it), never directly, so checking
    /// does not show this device to servers it does not use.
    /// </summary>
    private static async Task<List<(CatalogEntry Entry, bool? Reachable, string? Error)>> CatalogAsync(
        Client.Messaging.Messenger messenger, IEnumerable<string> used, IEnumerable<string> reachable)
    {
        var catalogs = new List<IReadOnlyList<CatalogEntry>>();
        foreach (var server in reachable)
        {
            try
            {
                catalogs.Add(await ServerCatalog.FetchAsync(PurrAddress.Parse(server)));
            }
            catch (PurrClientException)
            {
                // A server from before catalogs, or one that does not serve it: nothing listed.
            }
        }

        var entries = ServerCatalog.Merge(catalogs, used.Select(PurrAddress.Parse));
        if (entries.Count == 0)
        {
            return [];
        }

        PurrConnection home;
        try
        {
            home = await messenger.ConnectionAsync(messenger.Data.Server);
        }
        catch (PurrClientException e)
        {
            return [.. entries.Select(e2 => (e2, (bool?)null, (string?)$"your server is unreachable ({e.Message})"))];
        }

        var results = new List<(CatalogEntry, bool?, string?)>();
        foreach (var entry in entries)
        {
            try
            {
                await home.RelayKeysAsync(entry.Address);
                results.Add((entry, true, null));
            }
            catch (PurrProtocolException e) when (e.Code == Protocol.V1.ErrorCode.PeerRefused)
            {
                results.Add((entry, null, $"your server does not relay there ({e.Detail})"));
            }
            catch (PurrClientException e)
            {
                results.Add((entry, false, e is PurrProtocolException p ? p.Detail : e.Message));
            }
        }

        return results;
    }

    private static async Task<int> LanServersAsync(CliContext context)
    {
        var configured = context.Value(Interfaces) ?? [];
        foreach (var address in configured)
        {
            if (!System.Net.IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
            {
                throw new UsageException($"--interface takes an IPv4 or IPv6 address, not '{address}'");
            }
        }

        var interfaces = PurrServiceDiscovery.Interfaces(configured);
        if (interfaces.Count == 0)
        {
            throw new UsageException("no network interface to search on (none is up besides loopback); name one with --interface");
        }

        IReadOnlyList<LanServer> found;
        using (new Spinner("looking for Purr servers on the local network"))
        {
            try
            {
                found = await MdnsBrowser.BrowseAsync(interfaces, TimeSpan.FromSeconds(context.Value(Wait)));
            }
            catch (IOException e)
            {
                Output.Error(e.Message);
                return 1;
            }
        }

        context.Out.Result(
            found.Select(s => new { name = s.Instance, address = s.Address.ToString() }).ToList(),
            found.Count == 0
                ? "no Purr server answered on the local network"
                : string.Join('\n', found.Select(s => $"{s.Instance}\t{s.Address}")));
        return 0;
    }

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
