using Purr.Core.Handles;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Handles.Handlers;

/// <summary>Deletes a handle and its listing at once; signed by the handle's address key (anything else: AUTH).</summary>
internal sealed class ReleaseHandleHandler(IHandleStore store) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.ReleaseHandle;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var handle = await HandleOwner.AuthenticateAsync(store, context.Request.ReleaseHandle.Name, context, cancellationToken);
        if (handle is null)
        {
            return Responses.Auth();
        }

        await store.DeleteAsync(handle.Name, cancellationToken);
        return Responses.Ok();
    }
}
