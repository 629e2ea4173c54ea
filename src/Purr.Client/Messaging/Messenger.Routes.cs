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
}

/// <summary>The profile's words for routes ("auto", "direct", "via-home").</summary>
public static class ContactRoutes
{
    public static string Name(ContactRoute route) => route switch
    {
        ContactRoute.Direct => "direct",
        ContactRoute.ViaHome => "via-home",
        _ => "auto",
    };

    /// <summary>A stored route; anything this version does not know (a later client's onion route) reads as auto.</summary>
    public static ContactRoute Parse(string? text) => text switch
    {
        "direct" => ContactRoute.Direct,
        "via-home" => ContactRoute.ViaHome,
        _ => ContactRoute.Auto,
    };
}

/// <summary>
/// Sends to mailboxes by each contact's route: directly, or relayed through the profile's own server so the contact's
/// server never sees this device's address. Receiving is always direct (relayed subscriptions come later).
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

    public async Task SetRouteAsync(string name, ContactRoute route)
    {
        await gate.WaitAsync();
        try
        {
            Contact(name).Route = route == ContactRoute.Auto ? null : ContactRoutes.Name(route);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    public static ContactRoute RouteOf(ContactRecord contact) => ContactRoutes.Parse(contact.Route);

    /// <summary>The largest payload a relayed send carries; larger ones go directly (auto) or fail (via-home).</summary>
    public static int MaxRelayedPayloadBytes => RelayPacket.MaxRequestMessageBytes - RelayOverheadBytes;

    /// <summary>Sends to a mailbox on <paramref name="server"/> by <paramref name="route"/>; returns the message id.</summary>
    private async Task<byte[]> SendToMailboxAsync(
        string server, byte[] sendId, byte[] payload, Ed25519KeyPair? sender, byte[]? tag, ContactRoute route)
    {
        var home = Data.Server;
        var local = home.Length == 0 || SameServer(server, home);
        if (route == ContactRoute.ViaHome && payload.Length > MaxRelayedPayloadBytes)
        {
            throw new MessengerException($"this message is too large to relay ({payload.Length} bytes; at most {MaxRelayedPayloadBytes}); 'purr route NAME --direct' sends it directly");
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
                return await (await ConnectAsync(server)).SendAsync(sendId, payload, sender, tag);
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

        return await (await ConnectAsync(server)).SendAsync(sendId, payload, sender, tag);
    }

    private static bool SameServer(string a, string b) =>
        a == b || (PurrAddress.TryParse(a, out var first, out _) && PurrAddress.TryParse(b, out var second, out _)
            && ConstantTime.Equal(first.IdentityKey, second.IdentityKey));
}
