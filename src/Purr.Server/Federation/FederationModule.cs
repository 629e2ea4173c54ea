using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Purr.Server.Modules;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Federation;

/// <summary>
/// Federation (PROTOCOL.md section 15): links with other purrd servers (Federation:Mode, allowlist, pre-shared keys)
/// and relayed requests, so a client can reach a mailbox or room on another server through its own. Enabled by
/// default; with Federation:Mode off (the default) it refuses every link and relay.
/// </summary>
public sealed class FederationModule : IPurrModule
{
    public string Name => "federation";

    public void Register(IServiceCollection services)
    {
        services.AddOptions<FederationOptions>().BindConfiguration(FederationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FederationOptions>, Modules.FederationOptionsValidator>();
        services.TryAddSingleton<FederationPolicy>();
        services.TryAddSingleton<FederationLinks>();
        services.TryAddSingleton<PeerTrafficLimiter>();
        services.TryAddSingleton<InProcessReplayGuard>();
        services.TryAddSingleton<IReplayGuard>(sp => sp.GetRequiredService<InProcessReplayGuard>());
        services.TryAddSingleton<RelayProcessor>();
        services.TryAddSingleton<ProxyRoutes>();
        services.TryAddSingleton<FederationCounters>();
        services.TryAddSingleton<ProxyService>();
        services.TryAddSingleton<OnionRouter>();
        services.TryAddSingleton<OnionCapture>();
        services.TryAddSingleton<TunnelProxy>();
        services.TryAddSingleton<TunnelEndpoint>();
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<TunnelProxy>());
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<TunnelEndpoint>());
        services.AddSingleton<IOperatorReport, FederationReport>();
        services.AddSingleton<IRequestHandler, PeerHelloHandler>();
        services.AddSingleton<IRequestHandler, RelayForwardHandler>();
        services.AddSingleton<IRequestHandler, RelayKeysHandler>();
        services.AddSingleton<IRequestHandler, ProxyForwardHandler>();
        services.AddSingleton<IRequestHandler, OnionForwardHandler>();
        services.AddSingleton<IRequestHandler, TunnelOpenHandler>();
        services.AddSingleton<IRequestHandler, TunnelSendHandler>();
        services.AddSingleton<IHttpEndpoint>(new HttpEndpoint(CatalogEndpoint.Path, CatalogEndpoint.HandleAsync));
    }
}
