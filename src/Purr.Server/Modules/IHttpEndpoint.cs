using Microsoft.AspNetCore.Http;

namespace Purr.Server.Modules;

/// <summary>
/// An HTTP GET endpoint a module adds beside the protocol (mapped by MapPurr only when the module is enabled). A plain
/// RequestDelegate, not a minimal-API delegate: purrd runs as native AOT, where those would need generated code.
/// </summary>
public interface IHttpEndpoint
{
    string Pattern { get; }

    RequestDelegate Handler { get; }
}

public sealed record HttpEndpoint(string Pattern, RequestDelegate Handler) : IHttpEndpoint;
