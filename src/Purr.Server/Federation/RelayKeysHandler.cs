using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A client asks its own server for a destination's X25519 key, which the server has from its link; the client checks
/// the signature against the key its address pins, so the proxy cannot substitute its own.
/// </summary>
internal sealed class RelayKeysHandler(ProxyRoutes routes) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RelayKeys;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var route = await routes.ResolveAsync(context.Request.RelayKeys.Destination, cancellationToken);
        return route.Refusal ?? new ServerFrame { ServerKeys = route.ToSelf ? routes.OwnKeys() : route.Link!.Keys };
    }
}
