using Microsoft.Extensions.DependencyInjection;

namespace Purr.Server.Modules;

/// <summary>
/// A feature switched on in configuration ("Modules"), Prosody-style: it registers its request
/// handlers and services, and its name appears in /.well-known/purr.
/// </summary>
public interface IPurrModule
{
    string Name { get; }

    void Register(IServiceCollection services);
}
