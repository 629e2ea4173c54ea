using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// TunnelOpen (PROTOCOL.md 15.6): from a client, open a relayed connection to another server through this one; over a
/// federation link, a client behind the peer opens one to this server.
/// </summary>
internal sealed class TunnelOpenHandler(TunnelProxy proxy, TunnelEndpoint endpoint) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.TunnelOpen;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var open = context.Request.TunnelOpen;
        if (context.Session.Features.Get<PeerLinkState>() is null)
        {
            return open.Destination.Length == 0
                ? Responses.InvalidArgument("destination: the purr:// address of the server to reach is required")
                : await proxy.OpenAsync(context, open, cancellationToken);
        }

        // A link's tunnels end here: a server that passed them on would be a proxy for a proxy nobody chose.
        return open.Destination.Length == 0
            ? endpoint.Open(context, open)
            : Responses.InvalidArgument("destination must be empty on a federation link: a link's tunnels end at this server");
    }
}
