using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Modules;
using Purr.Server.Routing;

namespace Purr.Server.Registration;

/// <summary>
/// Registration is core, not a module: every module that creates something asks the same <see cref="CreationGate"/>,
/// and a server whose policy could be switched off with a module would be open by accident.
/// </summary>
internal static class RegistrationServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistrationOptions>>(sp => new RegistrationOptionsValidator());
        services.AddSingleton(sp => new TokenKeys(
            sp.GetRequiredService<IOptions<RegistrationOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>()));
        services.AddSingleton(sp => new CreationGate(
            sp.GetRequiredService<IOptions<RegistrationOptions>>(),
            sp.GetRequiredService<Purr.Core.Registration.IRegistrationStore>(),
            sp.GetRequiredService<TokenKeys>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RegistrationAdmin(
            sp.GetRequiredService<IOptions<RegistrationOptions>>(),
            sp.GetRequiredService<Purr.Core.Registration.IRegistrationStore>(),
            sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>(),
            sp.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => RegistrationInfoFactory.Create(sp.GetRequiredService<IOptions<RegistrationOptions>>().Value, sp.GetRequiredService<TokenKeys>()));
        services.AddSingleton<IRequestHandler>(sp => new RedeemInviteHandler(
            sp.GetRequiredService<IOptions<RegistrationOptions>>(),
            sp.GetRequiredService<Purr.Core.Registration.IRegistrationStore>(),
            sp.GetRequiredService<TokenKeys>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IOperatorReport>(sp => new RegistrationReport(
            sp.GetRequiredService<IOptions<RegistrationOptions>>(), sp.GetRequiredService<Purr.Core.Registration.IRegistrationStore>()));
    }
}
