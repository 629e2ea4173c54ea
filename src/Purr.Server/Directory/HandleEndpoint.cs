using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Purr.Core.Handles;
using Purr.Server.Modules;

namespace Purr.Server.Handles;

/// <summary>
/// GET /.well-known/purr/handles/{name}: a handle's contact address as JSON, for people and tools that have only the
/// name. Public by nature; a client that knows the server's key resolves over the protocol instead (ResolveHandle).
/// </summary>
internal static class HandleEndpoint
{
    public const string Path = "/.well-known/purr/handles/{name}";

    public static async Task HandleAsync(HttpContext context)
    {
        var store = context.RequestServices.GetRequiredService<IHandleStore>();
        var normalized = context.Request.RouteValues["name"] is string name ? HandleNames.Normalize(name) : null;
        var handle = normalized is null ? null : await store.FindAsync(normalized, context.RequestAborted);
        await (handle is null
            ? JsonResponses.WriteAsync(context, new JsonObject { ["error"] = "nobody has that handle here" }, StatusCodes.Status404NotFound)
            : JsonResponses.WriteAsync(context, new JsonObject { ["handle"] = handle.Name, ["address"] = handle.AddressLink }));
    }
}
