using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A packet a peer server forwards over its link: this server is the destination. Packets on one link are handled
/// concurrently (each is independent and single-use), answered as each is done.
/// </summary>
internal sealed class RelayForwardHandler(RelayProcessor processor, PeerTrafficLimiter traffic, FederationPolicy policy) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RelayForward;

    /// <summary>A link carries many people's packets: up to the proxy's own in-flight limit are opened and answered at once.</summary>
    public int MaxConcurrent => policy.Options.MaxInFlightPerPeer;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (context.Session.Features.Get<PeerLinkState>() is not { } link)
        {
            return Responses.Error(ErrorCode.PeerRefused, "relay packets come only over a federation link (PeerHello first)");
        }

        if (!traffic.TryTakeInbound(link.Fingerprint, out var retryAfter))
        {
            return Responses.RateLimited("your server sends this one more relay traffic than it accepts per minute", retryAfter);
        }

        return await processor.ProcessAsync(context.Request.RelayForward.Packet.Memory, context.Session.RemoteAddress, cancellationToken);
    }
}
