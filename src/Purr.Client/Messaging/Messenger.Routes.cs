using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>How sends to a contact travel (PROTOCOL.md section 15; README, "Routes").</summary>
public enum ContactRoute
{
    /// <summary>Through the profile's own server when it relays to the contact's server; directly when it does not.</summary>
    Auto,

    /// <summary>Straight to the contact's server, which then sees this device's address.</summary>
    Direct,

    /// <summary>Always through the profile's own server; a send fails rather than go directly.</summary>
    ViaHome,

    /// <summary>An onion route: the own server, then further servers (picked at random, or named), then the contact's server.</summary>
    Onion,
}

/// <summary>
/// A contact's route: its kind and, for onion routes, how many servers carry it (the own server included) or which
/// servers after the own one. Written in the profile as "auto", "direct", "via-home", "hops:N" or "through:ADDR,ADDR".
/// </summary>
public sealed record RouteChoice(ContactRoute Kind, int Hops = 1, IReadOnlyList<string>? Through = null)
{
    public static readonly RouteChoice Auto = new(ContactRoute.Auto);
    public static readonly RouteChoice Direct = new(ContactRoute.Direct);
    public static readonly RouteChoice ViaHome = new(ContactRoute.ViaHome);

    /// <summary>An onion route of <paramref name="hops"/> servers: the own server and hops - 1 picked at random from its catalog for each send.</summary>
    public static RouteChoice RandomHops(int hops) => hops is < 1 or > OnionPacket.MaxHops
        ? throw new MessengerException($"an onion route has 1 to {OnionPacket.MaxHops} servers (yours included)")
        : hops == 1 ? ViaHome : new RouteChoice(ContactRoute.Onion, hops);

    /// <summary>An onion route through the own server, then <paramref name="servers"/> in order.</summary>
    public static RouteChoice ThroughServers(IReadOnlyList<string> servers)
    {
        if (servers.Count is < 1 or > OnionPacket.MaxHops - 1)
        {
            throw new MessengerException($"--through names 1 to {OnionPacket.MaxHops - 1} servers (yours comes first)");
        }

        foreach (var server in servers)
        {
            if (!PurrAddress.TryParse(server, out _, out var error))
            {
                throw new MessengerException($"'{server}' is not a server address: {error}");
            }
        }

        return new RouteChoice(ContactRoute.Onion, servers.Count + 1, [.. servers]);
    }

    public string Name => Kind switch
    {
        ContactRoute.Direct => "direct",
        ContactRoute.ViaHome => "via-home",
        ContactRoute.Onion when Through is { Count: > 0 } => "through:" + string.Join(',', Through),
        ContactRoute.Onion => $"hops:{Hops}",
        _ => "auto",
    };

    /// <summary>A stored route; anything this version does not know reads as auto.</summary>
    public static RouteChoice Parse(string? text)
    {
        switch (text)
        {
            case "direct":
                return Direct;
            case "via-home":
                return ViaHome;
            case not null when text.StartsWith("hops:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hops)
                && hops is >= 2 and <= OnionPacket.MaxHops:
                return new RouteChoice(ContactRoute.Onion, hops);
            case not null when text.StartsWith("through:", StringComparison.Ordinal):
                var servers = text[8..].Split(',', StringSplitOptions.RemoveEmptyEntries);
                return servers.Length is >= 1 and < OnionPacket.MaxHops && servers.All(s => PurrAddress.TryParse(s, out _, out _))
                    ? new RouteChoice(ContactRoute.Onion, servers.Length + 1, servers)
                    : Auto;
            default:
                return Auto;
        }
    }
}

/// <summary>
/// Sends to mailboxes by each contact's route: directly, or relayed through the profile's own server so the contact's
/// server never sees this device's address. Receiving from other servers goes through relayed connections (Messenger.Tunnels.cs).
/// </summary>
public sealed partial class Messenger
{
    /// <summary>Room in a relay packet for what surrounds the payload (request, ids, tag, signature, times).</summary>
    private const int RelayOverheadBytes = 256;

    /// <summary>Destinations' checked X25519 keys, by server address, for this messenger's lifetime.</summary>
    private readonly Dictionary<string, RelayDestination> relayDestinations = [];

    /// <summary>Servers the home server said it does not relay to (auto routes then go directly), for this messenger's lifetime.</summary>
    private readonly HashSet<string> notRelayed = [];

    /// <summary>How long auto routes go directly after the home server could not be reached (no waiting on it for every send).</summary>
    private static readonly TimeSpan HomeRetry = TimeSpan.FromSeconds(30);

    private DateTimeOffset homeUnreachableUntil;

    public async Task SetRouteAsync(string name, RouteChoice route)
    {
        await gate.WaitAsync();
        try
        {
            Contact(name).Route = route.Kind == ContactRoute.Auto ? null : route.Name;
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    public static RouteChoice RouteOf(ContactRecord contact) => RouteChoice.Parse(contact.Route);

    /// <summary>The largest payload a relayed send carries; larger ones go directly (auto) or fail (via-home).</summary>
    public static int MaxRelayedPayloadBytes => RelayPacket.MaxRequestMessageBytes - RelayOverheadBytes;

    /// <summary>Sends to a mailbox on <paramref name="server"/> by <paramref name="route"/>; returns the message id.</summary>
    private async Task<byte[]> SendToMailboxAsync(
        string server, byte[] sendId, byte[] payload, Ed25519KeyPair? sender, byte[]? tag, RouteChoice choice, string group = "")
    {
        var home = Data.Server;
        var local = home.Length == 0 || SameServer(server, home);
        var route = choice.Kind;
        if (route is ContactRoute.ViaHome or ContactRoute.Onion && payload.Length > MaxRelayedPayloadBytes)
        {
            throw new MessengerException($"this message is too large to relay ({payload.Length} bytes; at most {MaxRelayedPayloadBytes}); 'purr route NAME --direct' sends it directly");
        }

        if (route == ContactRoute.Onion && !local)
        {
            return await SendThroughOnionAsync(server, sendId, payload, sender, tag, choice);
        }

        var autoRelays = !notRelayed.Contains(server) && time.GetUtcNow() >= homeUnreachableUntil;
        if (!local && route != ContactRoute.Direct && payload.Length <= MaxRelayedPayloadBytes && (route == ContactRoute.ViaHome || autoRelays))
        {
            PurrConnection proxy;
            try
            {
                proxy = await ConnectAsync(home);
            }
            catch (PurrConnectionException) when (route == ContactRoute.Auto)
            {
                // No home server to relay through (offline, or only a LAN server is reachable): auto goes directly for a while.
                homeUnreachableUntil = time.GetUtcNow() + HomeRetry;
                return await (await ConnectAsync(server, group: group)).SendAsync(sendId, payload, sender, tag);
            }

            try
            {
                if (!relayDestinations.TryGetValue(server, out var destination))
                {
                    relayDestinations[server] = destination = await proxy.RelayKeysAsync(PurrAddress.Parse(server));
                }

                return await proxy.SendRelayedAsync(destination, sendId, payload, sender, tag);
            }
            catch (PurrProtocolException e) when (route == ContactRoute.Auto && e.Code is ErrorCode.PeerRefused or ErrorCode.UnknownRequest)
            {
                // The home server does not relay there (federation off, an allowlist, or a server from before federation).
                notRelayed.Add(server);
            }
        }

        return await (await ConnectAsync(server, direct: route == ContactRoute.Direct, group: group)).SendAsync(sendId, payload, sender, tag);
    }

    private static bool SameServer(string a, string b) =>
        a == b || (PurrAddress.TryParse(a, out var first, out _) && PurrAddress.TryParse(b, out var second, out _)
            && ConstantTime.Equal(first.IdentityKey, second.IdentityKey));
}
