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
        services.AddSingleton<IValidateOptions<FederationOptions>>(sp => new Modules.FederationOptionsValidator());
        services.TryAddSingleton(sp => new FederationPolicy(sp.GetRequiredService<IOptions<FederationOptions>>()));
        services.TryAddSingleton(sp => new FederationLinks(
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<FederationCounters>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FederationLinks>>()));
        services.TryAddSingleton(sp => new PeerTrafficLimiter(
            sp.GetRequiredService<FederationPolicy>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new InProcessReplayGuard(
            sp.GetRequiredService<IOptions<FederationOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IReplayGuard>(sp => sp.GetRequiredService<InProcessReplayGuard>());
        services.TryAddSingleton(sp => new RelayProcessor(
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<IReplayGuard>(),
            sp.GetRequiredService<FederationCounters>(),
            sp,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RelayProcessor>>()));
        services.TryAddSingleton(sp => new ProxyRoutes(
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<FederationLinks>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>()));
        services.TryAddSingleton(sp => new FederationCounters());
        services.TryAddSingleton(sp => new ProxyService(
            sp.GetRequiredService<ProxyRoutes>(),
            sp.GetRequiredService<FederationLinks>(),
            sp.GetRequiredService<RelayProcessor>(),
            sp.GetRequiredService<PeerTrafficLimiter>()));
        services.TryAddSingleton(sp => new OnionRouter(
            sp.GetRequiredService<ProxyRoutes>(),
            sp.GetRequiredService<FederationLinks>(),
            sp.GetRequiredService<ProxyService>(),
            sp.GetRequiredService<PeerTrafficLimiter>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<FederationCounters>(),
            sp.GetRequiredService<OnionCapture>(),
            sp.GetRequiredService<IReplayGuard>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new OnionCapture(sp.GetRequiredService<FederationPolicy>()));
        services.TryAddSingleton(sp => new TunnelProxy(
            sp.GetRequiredService<ProxyRoutes>(),
            sp.GetRequiredService<FederationLinks>(),
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<PeerTrafficLimiter>()));
        services.TryAddSingleton(sp => new TunnelEndpoint(
            sp,
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<TunnelProxy>());
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<TunnelEndpoint>());
        services.AddSingleton<IOperatorReport>(sp => new FederationReport(
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<FederationLinks>(),
            sp.GetRequiredService<FederationCounters>(),
            sp.GetRequiredService<OnionCapture>(),
            sp.GetRequiredService<TunnelProxy>(),
            sp.GetRequiredService<TunnelEndpoint>()));
        services.AddSingleton<IRequestHandler>(sp => new PeerHelloHandler(
            sp.GetRequiredService<FederationPolicy>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<FederationCounters>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PeerHelloHandler>>()));
        services.AddSingleton<IRequestHandler>(sp => new RelayForwardHandler(
            sp.GetRequiredService<RelayProcessor>(), sp.GetRequiredService<PeerTrafficLimiter>()));
        services.AddSingleton<IRequestHandler>(sp => new RelayKeysHandler(sp.GetRequiredService<ProxyService>()));
        services.AddSingleton<IRequestHandler>(sp => new ProxyForwardHandler(sp.GetRequiredService<ProxyService>()));
        services.AddSingleton<IRequestHandler>(sp => new OnionForwardHandler(
            sp.GetRequiredService<OnionRouter>(), sp.GetRequiredService<PeerTrafficLimiter>(), sp.GetRequiredService<FederationPolicy>()));
        services.AddSingleton<IRequestHandler>(sp => new TunnelOpenHandler(
            sp.GetRequiredService<TunnelProxy>(), sp.GetRequiredService<TunnelEndpoint>(), sp.GetRequiredService<PeerTrafficLimiter>()));
        services.AddSingleton<IRequestHandler>(sp => new TunnelSendHandler(sp.GetRequiredService<TunnelProxy>()));
        services.AddSingleton<IHttpEndpoint>(new HttpEndpoint(CatalogEndpoint.Path, CatalogEndpoint.HandleAsync));
    }
}
