using Purr.Protocol.V1;

namespace Purr.Server.Routing;

/// <summary>An application-level round trip, for clients that measure latency or keep NAT state warm.</summary>
internal sealed class PingHandler : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.Ping;

    public ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ServerFrame { Pong = new Pong() });
}
