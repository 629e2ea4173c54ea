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
        services.AddSingleton<IValidateOptions<DirectoryOptions>>(sp => new DirectoryOptionsValidator());
        services.TryAddSingleton(sp => new DirectoryLookupLimiter(
            sp.GetRequiredService<IOptions<DirectoryOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => new RegisterHandleHandler(
            sp.GetRequiredService<Purr.Core.Handles.IHandleStore>(),
            sp.GetRequiredService<Purr.Server.Registration.CreationGate>(),
            sp.GetRequiredService<IOptions<DirectoryOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new ReleaseHandleHandler(sp.GetRequiredService<Purr.Core.Handles.IHandleStore>()));
        services.AddSingleton<IRequestHandler>(sp => new ResolveHandleHandler(
            sp.GetRequiredService<Purr.Core.Handles.IHandleStore>(),
            sp.GetRequiredService<DirectoryLookupLimiter>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => new SetListingHandler(
            sp.GetRequiredService<Purr.Core.Handles.IHandleStore>(),
            sp.GetRequiredService<IOptions<DirectoryOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => new SearchDirectoryHandler(
            sp.GetRequiredService<Purr.Core.Handles.IHandleStore>(),
            sp.GetRequiredService<DirectoryLookupLimiter>(),
            sp.GetRequiredService<IOptions<DirectoryOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHttpEndpoint>(new HttpEndpoint(HandleEndpoint.Path, HandleEndpoint.HandleAsync));
    }
}
