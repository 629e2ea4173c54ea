using System.Net;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// What a server does as a proxy, for a client of its own (RelayKeys, ProxyForward) or as the last hop of an onion
/// route: fetch a destination's keys over the link, or carry a sealed packet there and bring the answer back.
/// </summary>
internal sealed class ProxyService(ProxyRoutes routes, FederationLinks links, RelayProcessor processor, PeerTrafficLimiter traffic)
{
    public async Task<ServerFrame> KeysAsync(string destination, CancellationToken cancellationToken)
    {
        var route = await routes.ResolveAsync(destination, cancellationToken);
        return route.Refusal ?? new ServerFrame { ServerKeys = route.ToSelf ? routes.OwnKeys() : route.Link!.Keys };
    }

    /// <summary>The destination's RelayResult, or the error to answer; <paramref name="from"/> is the address the packet came from.</summary>
    public async Task<ServerFrame> ForwardAsync(ProxyForward forward, IPAddress from, CancellationToken cancellationToken)
    {
        if (forward.Packet.Length != RelayPacket.PacketBytes)
        {
            return Responses.Error(ErrorCode.PacketRefused, $"relay packets are exactly {RelayPacket.PacketBytes} bytes");
        }

        var route = await routes.ResolveAsync(forward.Destination, cancellationToken);
        if (route.Refusal is { } refusal)
        {
            return refusal;
        }

        if (route.ToSelf)
        {
            return await processor.ProcessAsync(forward.Packet.Memory, from, cancellationToken);
        }

        var link = route.Link!;
        if (!traffic.TryTakeOutbound(link.Fingerprint, out var retryAfter))
        {
            return Responses.RateLimited("this server forwards no more to that server this minute (Federation:BytesPerMinutePerPeer)", retryAfter);
        }

        return await links.ForwardAsync(link, new Request { RelayForward = new RelayForward { Packet = forward.Packet } }, cancellationToken);
    }
}
