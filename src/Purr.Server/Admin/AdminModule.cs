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
        services.AddSingleton<AdminCommands>();
        services.AddSingleton<RegistrationCommands>();
        services.AddSingleton<Broadcasts>();
        services.AddSingleton<Sessions.ISessionObserver>(sp => sp.GetRequiredService<Broadcasts>());
        services.AddHostedService<AdminSocket>();
    }
}
