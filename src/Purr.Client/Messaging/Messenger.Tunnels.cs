using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Connections to other servers than the profile's own (its mailboxes there, rooms there): relayed through the own
/// server (PROTOCOL.md 15.6) so those servers never see this device's address, as sends are (section 15.3).
/// </summary>
public sealed partial class Messenger
{
    /// <summary>
    /// A new connection to <paramref name="server"/>: directly to the own server (or when the profile has none); to any
    /// other, a relayed connection through the own server. Like auto routes, it goes directly instead while the own
    /// server cannot be reached (30 s) or after it said it does not relay there, unless a contact with mailboxes there
    /// has the route via-home or an onion route: then it fails rather than let that server see this device's address.
    /// </summary>
    private async Task<PurrConnection> OpenAsync(string server, string group = "")
    {
        var address = PurrAddress.Parse(server);
        var home = Data.Server;
        if (home.Length == 0 || SameServer(server, home))
        {
            return await PurrConnection.ConnectAsync(address, connectionOptions);
        }

        var strict = MustNotConnectDirectly(server);
        if (!strict && (notRelayed.Contains(server) || time.GetUtcNow() < homeUnreachableUntil))
        {
            return await PurrConnection.ConnectAsync(address, connectionOptions);
        }

        PurrConnection homeConnection;
        try
        {
            // Per contact, a contact's tunnel rides that contact's own connection to the own server.
            homeConnection = await ConnectAsync(home, group: Isolation == TransportIsolation.PerContact ? group : "");
        }
        catch (PurrConnectionException) when (!strict)
        {
            homeUnreachableUntil = time.GetUtcNow() + HomeRetry;
            return await PurrConnection.ConnectAsync(address, connectionOptions);
        }

        try
        {
            return await PurrConnection.ConnectThroughAsync(homeConnection, address, connectionOptions);
        }
        catch (PurrProtocolException e) when (!strict && e.Code is ErrorCode.PeerRefused or ErrorCode.UnknownRequest)
        {
            // The own server does not relay there (federation off, an allowlist, a server from before tunnels).
            notRelayed.Add(server);
            return await PurrConnection.ConnectAsync(address, connectionOptions);
        }
        catch (PurrProtocolException e)
        {
            // The own server could not get there now (RELAY_FAILED: that server is down), holds too many tunnels, or (for
            // a contact that must not be reached directly) does not relay there: for the caller, that server is not
            // reachable now, as when a direct connection fails; listeners retry, receives read the other servers.
            var reason = e.Code is ErrorCode.PeerRefused or ErrorCode.UnknownRequest
                ? $"your server does not relay there ({e.Detail}), and a contact whose mailboxes are there has a route that never goes directly"
                : e.Detail;
            throw new PurrConnectionException($"could not reach the Purr server at {address.Host}:{address.Port} through your own server: {reason}", e);
        }
    }

    /// <summary>A contact whose mailboxes (to receive from) are on <paramref name="server"/> asked never to be reached directly.</summary>
    private bool MustNotConnectDirectly(string server) =>
        Data.Contacts.Any(c => RouteOf(c).Kind is ContactRoute.ViaHome or ContactRoute.Onion && c.Inbox.Any(m => SameServer(m.Server, server)));
}
