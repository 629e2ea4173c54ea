using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Mailboxes;
using Purr.Server.Modules;
using Purr.Server.Routing;
using Purr.Server.Transport;

namespace Purr.Server;

public static class PurrServerServiceCollectionExtensions
{
    /// <summary>
    /// The server core and the modules named in configuration ("Modules", default: mailboxes).
    /// The caller registers an IMailboxStore and a <see cref="ServerIdentity"/>.
    /// </summary>
    public static IServiceCollection AddPurrServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConnectionLimitsOptions>().BindConfiguration(ConnectionLimitsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectionAdmission>();
        services.TryAddSingleton<SocketAdmission>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>, ConfigureKestrelLimits>();
        AdmittingListenerFactory.Decorate(services);
        services.AddSingleton<IValidateOptions<ConnectionLimitsOptions>, FrameLimitValidator>();
        services.TryAddSingleton(sp => new RequestDispatcher(sp.GetServices<IRequestHandler>()));
        services.AddSingleton<IRequestHandler, PingHandler>();
        services.TryAddSingleton(sp => AdvertisedLimits(
            sp.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value,
            sp.GetRequiredService<IOptions<MailboxOptions>>().Value));

        var names = configuration.GetSection("Modules").Get<string[]>() is { Length: > 0 } configured ? configured : ModuleCatalog.Defaults;
        var enabled = new List<string>();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!ModuleCatalog.Known.TryGetValue(name, out var create))
            {
                throw new OptionsValidationException("Modules", typeof(string), [$"unknown module '{name}'"]);
            }

            var module = create();
            module.Register(services);
            enabled.Add(module.Name);
        }

        // Limits name mailbox settings even when the module is off, so they are always bound.
        services.AddOptions<MailboxOptions>().BindConfiguration(MailboxOptions.Section);
        services.AddSingleton(new EnabledModules(enabled));
        return services;
    }

    private static Limits AdvertisedLimits(ConnectionLimitsOptions connection, MailboxOptions mailboxes) => new()
    {
        MaxFrameBytes = (uint)connection.MaxFrameBytes,
        MaxMessageBytes = (uint)mailboxes.MaxMessageBytes,
        DefaultLifetimeSeconds = (uint)mailboxes.DefaultLifetimeSeconds,
        MaxLifetimeSeconds = (uint)mailboxes.MaxLifetimeSeconds,
        MailboxQuota = (uint)mailboxes.Quota,
        MaxSubscriptions = (uint)connection.MaxSubscriptionsPerConnection,
        RequestsPerSecond = (uint)connection.RequestsPerSecond,
    };
}
