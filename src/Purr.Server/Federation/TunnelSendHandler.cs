using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>TunnelSend (PROTOCOL.md 15.6): one frame of a tunnel, passed on by the proxy or handed to the tunnel's session here.</summary>
internal sealed class TunnelSendHandler(TunnelProxy proxy) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.TunnelSend;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken) =>
        context.Session.Features.Get<PeerLinkState>() is null
            ? await proxy.SendAsync(context.Session, context.Request.TunnelSend, cancellationToken)
            : TunnelEndpoint.Send(context.Session, context.Request.TunnelSend);
}
