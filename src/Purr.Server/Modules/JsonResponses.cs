using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Purr.Server.Modules;

/// <summary>Writes a JSON body built as a JsonObject (no reflection-based serialization: purrd runs as native AOT).</summary>
public static class JsonResponses
{
    public static Task WriteAsync(HttpContext context, JsonObject body, int statusCode = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
