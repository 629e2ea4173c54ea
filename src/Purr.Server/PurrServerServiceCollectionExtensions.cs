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
        services.AddSingleton<IValidateOptions<ConnectionLimitsOptions>, Modules.ConnectionLimitsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectionAdmission>();
        services.TryAddSingleton<AddressLimiters>();
        services.TryAddSingleton<SocketAdmission>();
        services.AddOptions<TransportOptions>().BindConfiguration(TransportOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TransportOptions>, Modules.TransportOptionsValidator>();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, Modules.MqttOptionsValidator>();
        services.TryAddSingleton<RawFramingMiddleware>();
        services.TryAddSingleton<WebSocketUpgradeMiddleware>();
        services.TryAddSingleton<AdvertisedTransports>();
        services.TryAddSingleton(sp => SessionLauncher.Settings(sp));
        if (BuildFeatures.Mqtt)
        {
            services.AddHostedService<Transport.Mqtt.MqttBridge>();
        }
        else if (!string.IsNullOrWhiteSpace(configuration[$"{MqttOptions.Section}:{nameof(MqttOptions.Endpoint)}"]))
        {
            throw new ModuleConfigurationException(BuildFeatures.Missing("the MQTT transport", "Mqtt:Endpoint"));
        }
        services.AddOptions<LanOptions>().BindConfiguration(LanOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LanOptions>, Modules.LanOptionsValidator>();
        services.AddHostedService<LanAnnouncer>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>, ConfigureKestrelLimits>();
        AdmittingListenerFactory.Decorate(services);
        services.TryAddSingleton(sp => new RequestDispatcher(sp.GetServices<IRequestHandler>()));
        services.AddSingleton<IRequestHandler, PingHandler>();
        services.AddSingleton<IOperatorReport, ConnectionReport>();
        Registration.RegistrationServices.Add(services);
        services.AddOptions<Metrics.MetricsOptions>().BindConfiguration(Metrics.MetricsOptions.Section);
        services.TryAddSingleton<Metrics.ServerMetrics>();
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
