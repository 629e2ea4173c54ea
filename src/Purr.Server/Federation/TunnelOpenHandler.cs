using Purr.Crypto.Noise;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// TunnelOpen (PROTOCOL.md 15.6): from a client, open a relayed connection to another server through this one; over a
/// federation link, a client behind the peer opens one to this server.
/// </summary>
internal sealed class TunnelOpenHandler(TunnelProxy proxy, TunnelEndpoint endpoint, PeerTrafficLimiter traffic) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.TunnelOpen;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var open = context.Request.TunnelOpen;
        var link = context.Session.Features.Get<PeerLinkState>();
        if (link is null)
        {
            return open.Destination.Length == 0
                ? Responses.InvalidArgument("destination: the purr:// address of the server to reach is required")
                : await proxy.OpenAsync(context, open, cancellationToken);
        }

        // A link's tunnels end here: a server that passed them on would be a proxy for a proxy nobody chose.
        if (open.Destination.Length != 0)
        {
            return Responses.InvalidArgument("destination must be empty on a federation link: a link's tunnels end at this server");
        }

        // Each opening costs this server a Noise handshake: it counts against the peer's traffic like one relay packet.
        return traffic.TryTakeInbound(link.Fingerprint, out var retryAfter)
            ? endpoint.Open(context, open)
            : Responses.RateLimited("your server sends this one more relay traffic than it accepts per minute", retryAfter);
    }

    /// <summary>The refusal for a TunnelOpen whose fields cannot be right (from a client or a link alike), or null.</summary>
    public static ServerFrame? Malformed(TunnelOpen open) =>
        open.TunnelId == 0 ? Responses.InvalidArgument("tunnel_id must be above 0")
        : open.Handshake.Length != NoiseNx.FirstMessageOverhead
            ? Responses.InvalidArgument($"handshake must be the {NoiseNx.FirstMessageOverhead}-byte first Noise_NX message")
            : null;
}
