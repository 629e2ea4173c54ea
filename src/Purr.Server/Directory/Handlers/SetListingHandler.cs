using Microsoft.Extensions.Options;
using Purr.Core.Handles;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Handles.Handlers;

/// <summary>Lists a handle in the directory (or updates its listing), or delists it at once; signed by the handle's address key.</summary>
internal sealed class SetListingHandler(IHandleStore store, IOptions<DirectoryOptions> options, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SetListing;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.SetListing;
        var limits = options.Value;
        if (request.Description.Length > limits.MaxDescriptionLength || request.Description.Any(char.IsControl))
        {
            return Responses.InvalidArgument($"the description is at most {limits.MaxDescriptionLength} characters, without control characters");
        }

        if (request.FreeForChatSeconds > limits.MaxFreeForChat.TotalSeconds)
        {
            return Responses.InvalidArgument($"free_for_chat_seconds is at most {(long)limits.MaxFreeForChat.TotalSeconds}");
        }

        var handle = await HandleOwner.AuthenticateAsync(store, request.Name, context, cancellationToken);
        if (handle is null)
        {
            return Responses.Auth();
        }

        var freeUntil = request.FreeForChatSeconds == 0 ? 0 : time.GetUtcNow().ToUnixTimeSeconds() + request.FreeForChatSeconds;
        return await store.SetListingAsync(handle.Name, request.Listed, request.Description, freeUntil, cancellationToken) ? Responses.Ok() : Responses.Auth();
    }
}
