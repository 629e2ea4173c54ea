using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Purr.Core.Handles;

namespace Purr.Server.Handles;

/// <summary>
/// GET /.well-known/purr/handles/{name}: a handle's contact address as JSON, for people and tools that have only the
/// name. Public by nature; a client that knows the server's key resolves over the protocol instead (ResolveHandle).
/// </summary>
internal static class HandleEndpoint
{
    public const string Path = "/.well-known/purr/handles/{name}";

    public static async Task<IResult> HandleAsync(string name, HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<IHandleStore>();
        var normalized = HandleNames.Normalize(name);
        var handle = normalized is null ? null : await store.FindAsync(normalized, context.RequestAborted);
        return handle is null
            ? Results.Json(new { error = "nobody has that handle here" }, statusCode: StatusCodes.Status404NotFound)
            : Results.Json(new { handle = handle.Name, address = handle.AddressLink });
    }
}
