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

    ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken);
}
