using System.Collections.Frozen;
using Purr.Protocol.V1;

namespace Purr.Server.Routing;

/// <summary>Finds the handler for a request's operation among those the enabled modules registered.</summary>
public sealed class RequestDispatcher
{
    private readonly FrozenDictionary<Request.OpOneofCase, IRequestHandler> handlers;

    public RequestDispatcher(IEnumerable<IRequestHandler> handlers)
    {
        var table = new Dictionary<Request.OpOneofCase, IRequestHandler>();
        foreach (var handler in handlers)
        {
            if (!table.TryAdd(handler.Operation, handler))
            {
                throw new InvalidOperationException($"two handlers registered for {handler.Operation}");
            }
        }

        this.handlers = table.ToFrozenDictionary();
    }

    public bool TryGet(Request.OpOneofCase operation, out IRequestHandler handler) =>
        handlers.TryGetValue(operation, out handler!);
}
