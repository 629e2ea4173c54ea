using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A client hands its own server a packet sealed to another server: this server forwards it over its link and brings
/// the sealed answer back. It learns the destination and nothing inside; the destination learns this server, not the client.
/// </summary>
internal sealed class ProxyForwardHandler(ProxyService proxy) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.ProxyForward;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken) =>
        await proxy.ForwardAsync(context.Request.ProxyForward, context.Session.RemoteAddress, cancellationToken);
}
