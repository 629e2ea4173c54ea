using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A client asks its own server for a destination's X25519 key, which the server has from its link; the client checks
/// the signature against the key its address pins, so the proxy cannot substitute its own.
/// </summary>
internal sealed class RelayKeysHandler(ProxyService proxy) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RelayKeys;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken) =>
        await proxy.KeysAsync(context.Request.RelayKeys.Destination, cancellationToken);
}
