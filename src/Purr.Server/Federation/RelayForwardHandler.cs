using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>A packet a peer server forwards over its link: this server is the destination.</summary>
internal sealed class RelayForwardHandler(RelayProcessor processor, PeerTrafficLimiter traffic) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RelayForward;

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
