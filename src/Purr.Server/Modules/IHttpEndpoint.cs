namespace Purr.Server.Modules;

/// <summary>An HTTP GET endpoint a module adds beside the protocol (mapped by MapPurr only when the module is enabled).</summary>
public interface IHttpEndpoint
{
    string Pattern { get; }

    Delegate Handler { get; }
}

public sealed record HttpEndpoint(string Pattern, Delegate Handler) : IHttpEndpoint;
