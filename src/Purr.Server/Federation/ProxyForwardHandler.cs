using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A client hands its own server a packet sealed to another server: this server forwards it over its link and brings
/// the sealed answer back. It learns the destination and nothing inside; the destination learns this server, not the client.
/// </summary>
internal sealed class ProxyForwardHandler(ProxyRoutes routes, FederationLinks links, RelayProcessor processor, PeerTrafficLimiter traffic) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.ProxyForward;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var forward = context.Request.ProxyForward;
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
            return await processor.ProcessAsync(forward.Packet.Memory, context.Session.RemoteAddress, cancellationToken);
        }

        var link = route.Link!;
        if (!traffic.TryTakeOutbound(link.Fingerprint, out var retryAfter))
        {
            return Responses.RateLimited("this server forwards no more to that server this minute (Federation:BytesPerMinutePerPeer)", retryAfter);
        }

        return await links.ForwardAsync(link, forward.Packet, cancellationToken);
    }
}
