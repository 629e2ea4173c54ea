using Google.Protobuf;
using Purr.Core.Handles;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Handles.Handlers;

/// <summary>Anyone may resolve a handle to its contact address (handles are public by nature); rate-limited per connection.</summary>
internal sealed class ResolveHandleHandler(IHandleStore store, DirectoryLookupLimiter lookups, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.ResolveHandle;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (!lookups.TryTake(context.Session, out var retryAfter))
        {
            return Responses.RateLimited("too many lookups on this connection; slow down", retryAfter);
        }

        if (HandleNames.Normalize(context.Request.ResolveHandle.Name) is not { } name)
        {
            return Responses.InvalidArgument($"a handle is {HandleNames.Rule}");
        }

        var handle = await store.FindAsync(name, cancellationToken);
        if (handle is null)
        {
            return Responses.Error(ErrorCode.NotFound, "nobody has that handle here");
        }

        var resolved = new HandleResolved { Name = handle.Name, AddressLink = handle.AddressLink };
        if (handle.Listed)
        {
            resolved.Listing = DirectoryEntries.From(handle, time.GetUtcNow().ToUnixTimeSeconds());
        }

        return new ServerFrame { HandleResolved = resolved };
    }
}
