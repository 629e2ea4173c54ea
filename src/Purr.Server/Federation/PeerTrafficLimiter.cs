using Purr.Protocol.Federation;
using Purr.Server.Transport;

namespace Purr.Server.Federation;

/// <summary>
/// Federation:BytesPerMinutePerPeer, counted in whole relay packets (all the same size), separately for the packets a
/// peer sends this server and for the forwards this server sends a peer.
/// </summary>
internal sealed class PeerTrafficLimiter(FederationPolicy policy, TimeProvider time)
{
    /// <summary>Onion packets from clients, per IP address (Federation:OnionPacketsPerMinutePerIp).</summary>
    public AddressRateLimiter ClientOnions { get; } = new(policy.Options.OnionPacketsPerMinutePerIp, time);

    /// <summary>Tunnels opened by clients, per IP address (Federation:TunnelsPerMinutePerIp).</summary>
    public AddressRateLimiter ClientTunnels { get; } = new(policy.Options.TunnelsPerMinutePerIp, time);

    private readonly KeyedRateLimiter<string> inbound = new(PacketsPerMinute(policy), time);
    private readonly KeyedRateLimiter<string> outbound = new(PacketsPerMinute(policy), time);

    public bool TryTakeInbound(string peerFingerprint, out TimeSpan retryAfter) => inbound.TryTake(peerFingerprint, out retryAfter);

    public bool TryTakeOutbound(string peerFingerprint, out TimeSpan retryAfter) => outbound.TryTake(peerFingerprint, out retryAfter);

    private static int PacketsPerMinute(FederationPolicy policy) =>
        (int)Math.Clamp(policy.Options.BytesPerMinutePerPeer / RelayPacket.PacketBytes, 1, int.MaxValue);
}
