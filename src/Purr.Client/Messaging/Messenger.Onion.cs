using Purr.Client.Federation;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Client.Messaging;

/// <summary>
/// Sends by onion routes (PROTOCOL.md section 15.5): the profile's own server first, then the servers the route names,
/// or servers picked at random for every send from the own server's catalog, then the contact's server. Each server
/// learns only its neighbours on the route; the contact's server learns only the last of them.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>The own server's catalog, fetched once per messenger (the own server sees this device anyway).</summary>
    private IReadOnlyList<CatalogEntry>? homeCatalog;

    private async Task<byte[]> SendThroughOnionAsync(string server, byte[] sendId, byte[] payload, Ed25519KeyPair? sender, byte[]? tag, RouteChoice choice)
    {
        if (Data.Server.Length == 0)
        {
            throw new MessengerException("an onion route starts at your own server, and this profile has none; 'purr route NAME --direct' sends directly");
        }

        var home = await ConnectAsync(Data.Server);
        var route = await OnionRouteAsync(home, server, choice);
        var destination = await KeysThroughAsync(home, route, server);
        return await home.SendRelayedAsync(destination, sendId, payload, sender, tag, route);
    }

    /// <summary>The servers of the route with their checked keys, the own server first; each key asked of the server before it.</summary>
    private async Task<IReadOnlyList<RelayDestination>> OnionRouteAsync(PurrConnection home, string destination, RouteChoice choice)
    {
        var route = new List<RelayDestination> { await KeysThroughAsync(home, [], Data.Server) };
        var servers = choice.Through ?? await PickHopsAsync(destination, choice.Hops - 1);
        foreach (var server in servers)
        {
            route.Add(await KeysThroughAsync(home, route, server));
        }

        return route;
    }

    /// <summary>A server's X25519 key, asked through <paramref name="route"/> (through the own server when the route is empty or only it), cached.</summary>
    private async Task<RelayDestination> KeysThroughAsync(PurrConnection home, IReadOnlyList<RelayDestination> route, string server)
    {
        if (!relayDestinations.TryGetValue(server, out var keys))
        {
            relayDestinations[server] = keys = await home.RelayKeysAsync(route, PurrAddress.Parse(server));
        }

        return keys;
    }

    /// <summary><paramref name="count"/> servers from the own server's catalog that relay, none of them the own or the destination's, in random order.</summary>
    private async Task<IReadOnlyList<string>> PickHopsAsync(string destination, int count)
    {
        try
        {
            homeCatalog ??= await ServerCatalog.FetchAsync(PurrAddress.Parse(Data.Server));
        }
        catch (PurrClientException e)
        {
            throw new MessengerException($"your server's catalog, where random hops come from, could not be read: {e.Message}");
        }

        var candidates = homeCatalog
            .Where(e => e.Relays && !SameServer(e.Address.ToString(), Data.Server) && !SameServer(e.Address.ToString(), destination))
            .Select(e => e.Address.ToString())
            .ToList();
        if (candidates.Count < count)
        {
            throw new MessengerException(
                $"your server's catalog lists {candidates.Count} server(s) to relay through, and this route needs {count} besides yours; choose fewer hops or name them with --through");
        }

        // Fisher-Yates with the messenger's random source: a fresh choice of servers for every send.
        for (var i = candidates.Count - 1; i > 0; i--)
        {
            var j = Uniform(i + 1);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }

        return candidates[..count];
    }

    /// <summary>A uniform integer in [0, bound) from the messenger's random source (rejection sampling: no modulo bias).</summary>
    private int Uniform(int bound)
    {
        var limit = uint.MaxValue - (uint.MaxValue % (uint)bound);
        Span<byte> bytes = stackalloc byte[4];
        uint value;
        do
        {
            random.Fill(bytes);
            value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }
        while (value >= limit);
        return (int)(value % (uint)bound);
    }
}
