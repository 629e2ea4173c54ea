using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// An onion packet from a client (this server is the first hop) or from a peer over its link. Handled many at a time
/// on one connection, since each waits on the next server of its route.
/// </summary>
internal sealed class OnionForwardHandler(OnionRouter router, PeerTrafficLimiter traffic, FederationPolicy policy) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.OnionForward;

    public int MaxConcurrent => policy.Options.MaxInFlightPerPeer;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var link = context.Session.Features.Get<PeerLinkState>();
        if (link is not null && !traffic.TryTakeInbound(link.Fingerprint, out var retryAfter))
        {
            return Responses.RateLimited("your server sends this one more relay traffic than it accepts per minute", retryAfter);
        }

        if (link is null && !traffic.ClientOnions.TryTake(context.Session.RemoteAddress, out var wait))
        {
            return Responses.RateLimited("too many onion packets from your address this minute (Federation:OnionPacketsPerMinutePerIp)", wait);
        }

        return await router.ProcessAsync(context.Request.OnionForward.Packet.Memory, link, context.Session.RemoteAddress, cancellationToken);
    }
}
