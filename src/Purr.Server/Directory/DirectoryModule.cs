using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Purr.Server.Handles.Handlers;
using Purr.Server.Modules;
using Purr.Server.Routing;

namespace Purr.Server.Handles;

/// <summary>Handles (public names for contact addresses) and the opt-in directory of listed handles (PROTOCOL.md section 14).</summary>
public sealed class DirectoryModule : IPurrModule
{
    public string Name => "directory";

    public void Register(IServiceCollection services)
    {
        services.AddOptions<DirectoryOptions>().BindConfiguration(DirectoryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DirectoryOptions>, DirectoryOptionsValidator>();
        services.TryAddSingleton<DirectoryLookupLimiter>();
        services.AddSingleton<IRequestHandler, RegisterHandleHandler>();
        services.AddSingleton<IRequestHandler, ReleaseHandleHandler>();
        services.AddSingleton<IRequestHandler, ResolveHandleHandler>();
        services.AddSingleton<IRequestHandler, SetListingHandler>();
        services.AddSingleton<IRequestHandler, SearchDirectoryHandler>();
        services.AddSingleton<IHttpEndpoint>(new HttpEndpoint(HandleEndpoint.Path, HandleEndpoint.HandleAsync));
    }
}
