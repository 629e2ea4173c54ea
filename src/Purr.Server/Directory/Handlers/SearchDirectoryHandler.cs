using Microsoft.Extensions.Options;
using Purr.Core.Handles;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Handles.Handlers;

/// <summary>Searches the listed handles by name prefix or description word; anyone may, rate-limited per connection.</summary>
internal sealed class SearchDirectoryHandler(IHandleStore store, DirectoryLookupLimiter lookups, IOptions<DirectoryOptions> options, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SearchDirectory;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (!lookups.TryTake(context.Session, out var retryAfter))
        {
            return Responses.RateLimited("too many lookups on this connection; slow down", retryAfter);
        }

        var request = context.Request.SearchDirectory;
        if (HandleNames.NormalizeQuery(request.Query) is not { } query)
        {
            return Responses.InvalidArgument("a query is 1 to 32 of a-z, 0-9, '.', '_' and '-'");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var found = await store.SearchAsync(query, request.FreeForChatOnly, now, options.Value.MaxResults, cancellationToken);
        var results = new DirectoryResults();
        results.Entries.AddRange(found.Select(h => DirectoryEntries.From(h, now)));
        return new ServerFrame { DirectoryResults = results };
    }
}
