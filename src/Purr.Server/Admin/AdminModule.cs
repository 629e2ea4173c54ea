using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Purr.Server.Modules;

namespace Purr.Server.Admin;

/// <summary>
/// The admin socket that purrctl talks to: a Unix domain socket in the data directory, mode 0600, answering only
/// peers of purrd's own user (or root). Never on TCP. Answers aggregates and settings, nothing about any user;
/// and the operator's signed emergency broadcasts.
/// </summary>
public sealed class AdminModule : IPurrModule
{
    public string Name => "admin";

    public void Register(IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) => options.Socket = AdminOptions.ResolveSocket(options.Socket, configuration["Data"]));
        services.AddSingleton(sp => new AdminCommands(
            sp.GetRequiredService<IEnumerable<IOperatorReport>>(),
            sp.GetRequiredService<EnabledModules>(),
            sp.GetRequiredService<Broadcasts>(),
            sp.GetRequiredService<RegistrationCommands>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RegistrationCommands(sp.GetRequiredService<Purr.Server.Registration.RegistrationAdmin>()));
        services.AddSingleton(sp => new Broadcasts(
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IEnumerable<IBroadcastRelay>>()));
        services.AddSingleton<Sessions.ISessionObserver>(sp => sp.GetRequiredService<Broadcasts>());
        services.AddHostedService(sp => new AdminSocket(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AdminOptions>>(),
            sp.GetRequiredService<AdminCommands>(),
            sp.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AdminSocket>>()));
    }
}
