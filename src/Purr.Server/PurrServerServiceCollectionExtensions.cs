using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Modules;
using Purr.Server.Routing;
using Purr.Server.Transport;

namespace Purr.Server;

public static class PurrServerServiceCollectionExtensions
{
    /// <summary>
    /// The server core and, of the <paramref name="modules"/> this build offers, those named in configuration
    /// ("Modules"; default: every module enabled by default). The caller registers the stores and a
    /// <see cref="ServerIdentity"/>. Throws <see cref="ModuleConfigurationException"/> for an unknown module name
    /// or a module whose needs are not enabled.
    /// </summary>
    public static IServiceCollection AddPurrServer(this IServiceCollection services, IConfiguration configuration, IReadOnlyList<IPurrModule> modules)
    {
        services.AddOptions<ConnectionLimitsOptions>().BindConfiguration(ConnectionLimitsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectionLimitsOptions>>(sp => new Modules.ConnectionLimitsOptionsValidator());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ConnectionAdmission(sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>()));
        services.TryAddSingleton(sp => new AddressLimiters(
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new SocketAdmission(
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddOptions<TransportOptions>().BindConfiguration(TransportOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TransportOptions>>(sp => new Modules.TransportOptionsValidator());
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>>(sp => new Modules.MqttOptionsValidator());
        services.TryAddSingleton(sp => new RawFramingMiddleware(
            sp, sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(), sp.GetRequiredService<IOptions<TransportOptions>>()));
        services.TryAddSingleton(sp => new WebSocketUpgradeMiddleware(
            sp,
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(),
            sp.GetRequiredService<IOptions<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>>()));
        services.TryAddSingleton(sp => new AdvertisedTransports(
            sp.GetRequiredService<IOptions<TransportOptions>>(), sp.GetRequiredService<IOptions<MqttOptions>>()));
        services.TryAddSingleton(sp => SessionLauncher.Settings(sp));
        if (BuildFeatures.Mqtt)
        {
            services.AddHostedService(sp => new Transport.Mqtt.MqttBridge(
                sp,
                sp.GetRequiredService<IOptions<MqttOptions>>(),
                sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>(),
                sp.GetRequiredService<ServerIdentity>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        }
        else if (!string.IsNullOrWhiteSpace(configuration[$"{MqttOptions.Section}:{nameof(MqttOptions.Endpoint)}"]))
        {
            throw new ModuleConfigurationException(BuildFeatures.Missing("the MQTT transport", "Mqtt:Endpoint"));
        }
        services.AddOptions<LanOptions>().BindConfiguration(LanOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LanOptions>>(sp => new Modules.LanOptionsValidator());
        services.AddHostedService(sp => new LanAnnouncer(
            sp.GetRequiredService<IOptions<LanOptions>>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>(),
            sp.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(),
            sp.GetRequiredService<ServerIdentity>(),
            sp.GetRequiredService<AdvertisedTransports>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>(sp => new ConfigureKestrelLimits(
            sp.GetRequiredService<SocketAdmission>(),
            sp.GetRequiredService<RawFramingMiddleware>(),
            sp.GetRequiredService<WebSocketUpgradeMiddleware>(),
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>()));
        AdmittingListenerFactory.Decorate(services);
        services.TryAddSingleton(sp => new RequestDispatcher(sp.GetServices<IRequestHandler>()));
        services.AddSingleton<IRequestHandler>(sp => new PingHandler());
        services.AddSingleton<IOperatorReport>(sp => new ConnectionReport(
            sp.GetRequiredService<ConnectionAdmission>(),
            sp.GetRequiredService<SocketAdmission>(),
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>()));
        Registration.RegistrationServices.Add(services);
        services.AddOptions<Metrics.MetricsOptions>().BindConfiguration(Metrics.MetricsOptions.Section);
        services.TryAddSingleton(sp => new Metrics.ServerMetrics());
        services.TryAddSingleton(sp => AdvertisedLimits(
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value, sp.GetServices<ILimitsContributor>()));

        var enabled = ModuleSelection.Select(modules, configuration.GetSection("Modules").Get<string[]>());
        foreach (var module in enabled)
        {
            module.Register(services);
        }

        services.AddSingleton(new EnabledModules([.. enabled.Select(m => m.Name)]));
        return services;
    }

    private static Limits AdvertisedLimits(ConnectionLimitsOptions connection, IEnumerable<ILimitsContributor> contributors)
    {
        var limits = new Limits
        {
            MaxFrameBytes = (uint)connection.MaxFrameBytes,
            RequestsPerSecond = (uint)connection.RequestsPerSecond,
        };
        foreach (var contributor in contributors)
        {
            contributor.Contribute(limits);
        }

        return limits;
    }
}
