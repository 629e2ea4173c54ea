using Purr.Protocol.V1;

namespace Purr.Server.Routing;

/// <summary>
/// Handles one kind of request. Modules register handlers; the dispatcher finds one by the
/// request's operation. A handler returns the response body; the connection adds the request id.
/// Expected refusals are returned as an Error frame (see <see cref="Responses"/>), never thrown.
/// </summary>
public interface IRequestHandler
{
    Request.OpOneofCase Operation { get; }

    /// <summary>
    /// Above 0: requests of this kind on one connection may be handled this many at a time, each answered when done,
    /// out of order with the connection's other requests (onion packets, which wait on the next server of their route).
    /// 0: in order, one at a time.
    /// </summary>
    int MaxConcurrent => 0;

    ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken);
}
