using System.ComponentModel.DataAnnotations;
using Purr.Protocol;
using Purr.Server.Modules;

namespace Purr.Server.Federation;

/// <summary>Which servers this one links with and relays for (PROTOCOL.md section 15).</summary>
public enum FederationMode
{
    /// <summary>No links in or out; RelayKeys and ProxyForward are refused (the default).</summary>
    Off,

    /// <summary>Links only with the servers in <see cref="FederationOptions.Peers"/>, in both directions.</summary>
    Allowlist,

    /// <summary>Links with any Purr server, relays to any (public addresses only, unless AllowPrivateAddresses).</summary>
    Open,
}

/// <summary>One federation peer: its address and, optionally, a key both operators share.</summary>
public sealed class FederationPeerOptions
{
    /// <summary>The peer's purr:// address (the key it pins is the peer's identity).</summary>
    public string Address { get; set; } = "";

    /// <summary>
    /// 32 random bytes in base64url (43 characters), the same on both servers; mixed into the link's authentication.
    /// Empty: none. A peer with a key must prove it, and a peer without one is refused by a server that has one for it.
    /// </summary>
    public string PreSharedKey { get; set; } = "";

    /// <summary>List this peer in the server's catalog (/.well-known/purr/catalog), where clients pick servers to relay through.</summary>
    public bool Listed { get; set; } = true;

    /// <summary>What the catalog says of the peer: it relays for other servers' clients (its operator's word, not checked here).</summary>
    public bool Relays { get; set; } = true;
}

/// <summary>Server-to-server links and relayed requests (section "Federation"; README lists the defaults).</summary>
public sealed class FederationOptions : IValidatableObject
{
    public const string Section = "Federation";

    public FederationMode Mode { get; set; } = FederationMode.Off;

    /// <summary>The allowlist (Mode allowlist), and pre-shared keys for peers in any mode.</summary>
    public List<FederationPeerOptions> Peers { get; set; } = [];

    /// <summary>Outgoing links held at once; a forward to a further server is answered RELAY_FAILED.</summary>
    [Range(1, 10_000)]
    public int MaxLinks { get; set; } = 64;

    /// <summary>Forwards waiting for an answer on one outgoing link; beyond it a forward is answered RATE_LIMITED.</summary>
    [Range(1, 100_000)]
    public int MaxInFlightPerPeer { get; set; } = 256;

    /// <summary>
    /// Relay traffic per peer and direction (forwards this server sends it, packets it accepts from it), in bytes per
    /// minute, bursts of the same; counted in whole packets (20,480 bytes each). Beyond it: RATE_LIMITED.
    /// </summary>
    [Range(RelayPacketBytes, 1L << 40)]
    public long BytesPerMinutePerPeer { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Onion packets this server takes as the first hop from one client IP address per minute, bursts of the same (each
    /// costs two X25519 operations and more); beyond it: RATE_LIMITED. Packets from links count against the peer's bytes.
    /// </summary>
    [Range(1, 10_000_000)]
    public int OnionPacketsPerMinutePerIp { get; set; } = 6_000;

    /// <summary>Tunnels one client IP address may open through this server per minute, bursts of the same (each costs the destination a Noise handshake).</summary>
    [Range(1, 10_000_000)]
    public int TunnelsPerMinutePerIp { get; set; } = 1_200;

    /// <summary>Relayed connections (tunnels, PROTOCOL.md 15.6) one client connection may hold open through this server.</summary>
    [Range(1, 100_000)]
    public int MaxTunnelsPerConnection { get; set; } = 1_024;

    /// <summary>Relayed connections one peer's link may hold open to this server (each is a session here).</summary>
    [Range(1, 1_000_000)]
    public int MaxTunnelsPerPeer { get; set; } = 4_096;

    /// <summary>The request rate of an accepted incoming link (in place of Limits:RequestsPerSecond), bursts of twice that.</summary>
    [Range(1, 1_000_000)]
    public int LinkRequestsPerSecond { get; set; } = 5_000;

    /// <summary>How long connecting to a peer (transport, hello, peer hello) may take.</summary>
    [TimeSpanRange("00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a forward waits for the destination's answer.</summary>
    [TimeSpanRange("00:00:01", "00:05:00")]
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After a failed connect, how long until the next try to that peer (doubling up to a minute).</summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Packet keys remembered against replay (each for the packets' 6-minute window); when full, packets wait (RATE_LIMITED).</summary>
    [Range(1_000, 100_000_000)]
    public int ReplayCacheEntries { get; set; } = 1_000_000;

    /// <summary>Mode open: also link to servers at loopback, private and link-local addresses (tests and LANs).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Keep, in memory, what this server learned from the last 100 onion layers it removed (the server a packet came
    /// from, "a client" otherwise, and the next server), shown by purrctl status. For tests and for checking what a hop
    /// learns; it holds servers' keys only, never a client's address, and nothing is written anywhere.
    /// </summary>
    public bool DebugCaptureOnionHops { get; set; }

    private const long RelayPacketBytes = Protocol.Federation.RelayPacket.PacketBytes;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var peer in Peers)
        {
            if (!PurrAddress.TryParse(peer.Address, out _, out _))
            {
                yield return new ValidationResult($"Federation:Peers: '{peer.Address}' is not a purr:// address");
            }

            if (peer.PreSharedKey.Length != 0 && !(Base64Url.TryDecode(peer.PreSharedKey, out var key) && key.Length == 32))
            {
                yield return new ValidationResult("Federation:Peers: PreSharedKey must be 32 bytes in base64url (43 characters)");
            }
        }

        if (Mode == FederationMode.Allowlist && Peers.Count == 0)
        {
            yield return new ValidationResult("Federation:Mode allowlist needs at least one entry in Federation:Peers");
        }
    }
}
