using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Purr.Protocol;

namespace Purr.Server.Federation;

/// <summary>
/// What the policy says about a destination to link to: a refusal (in words), that its host does not resolve, or the
/// address to dial (for an unchecked destination in mode open: only its WebSocket endpoint, at the address checked).
/// </summary>
internal readonly record struct DestinationCheck(string? Refusal, bool Unresolvable, PurrAddress ConnectTo);

/// <summary>A configured peer: its address and the key both operators share, if any.</summary>
internal sealed record FederationPeer(PurrAddress Address, byte[]? PreSharedKey, bool Listed, bool Relays);

/// <summary>
/// Who this server links with (<see cref="FederationOptions.Mode"/>, the allowlist, pre-shared keys), decided the same
/// way for links coming in and for forwards going out.
/// </summary>
internal sealed class FederationPolicy
{
    private readonly Dictionary<string, FederationPeer> peers = new(StringComparer.Ordinal);

    public FederationPolicy(IOptions<FederationOptions> options)
    {
        Options = options.Value;
        foreach (var peer in Options.Peers)
        {
            var address = PurrAddress.Parse(peer.Address);
            byte[]? key = peer.PreSharedKey.Length == 0 ? null : Base64Url.TryDecode(peer.PreSharedKey, out var decoded) ? decoded : null;
            peers[address.Fingerprint] = new FederationPeer(address, key, peer.Listed, peer.Relays);
        }
    }

    public FederationOptions Options { get; }

    public FederationMode Mode => Options.Mode;

    /// <summary>The configured peers, in configuration order.</summary>
    public IEnumerable<FederationPeer> Peers => peers.Values;

    /// <summary>The configured peer with this identity key, if any.</summary>
    public FederationPeer? Peer(ReadOnlySpan<byte> identityKey) => peers.GetValueOrDefault(Base64Url.Encode(identityKey));

    /// <summary>Why a server with this key may not link or be relayed to, in words for the refusal; null when it may.</summary>
    public string? Refusal(ReadOnlySpan<byte> identityKey) => Mode switch
    {
        FederationMode.Off => "this server does not federate (Federation:Mode is off)",
        FederationMode.Allowlist when Peer(identityKey) is null => "this server federates only with the servers on its allowlist",
        _ => null,
    };

    /// <summary>
    /// Mode open keeps clients from steering this server at its own network: a destination whose host is (or resolves
    /// to) a loopback, private, link-local or unspecified address is refused unless AllowPrivateAddresses. What was
    /// checked is what gets dialled: the address's WebSocket endpoint at the resolved address (a second lookup could
    /// answer otherwise: DNS rebinding), never the other transports the address lists (their hosts were not checked).
    /// Configured peers are the operator's word and are dialled as configured.
    /// </summary>
    public async Task<DestinationCheck> CheckDestinationAsync(PurrAddress destination, CancellationToken cancellationToken)
    {
        if (Mode != FederationMode.Open || Options.AllowPrivateAddresses || Peer(destination.IdentityKey) is not null)
        {
            return new DestinationCheck(null, false, destination);
        }

        var host = destination.Host.Trim('[', ']');
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            return new DestinationCheck(null, true, destination);
        }

        if (addresses.Any(IsPrivate))
        {
            return new DestinationCheck("this server does not relay to private or loopback addresses", false, destination);
        }

        var dial = addresses[0].IsIPv4MappedToIPv6 ? addresses[0].MapToIPv4() : addresses[0];
        var dialHost = dial.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{dial}]" : dial.ToString();
        return new DestinationCheck(null, false, destination.WithoutTransports() with { Host = dialHost });
    }

    internal static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (first & 0xfe) == 0xfc;
        }

        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
    }
}
