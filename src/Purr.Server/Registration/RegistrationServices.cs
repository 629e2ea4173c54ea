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
        services.AddSingleton<IValidateOptions<RegistrationOptions>, RegistrationOptionsValidator>();
        services.AddSingleton<TokenKeys>();
        services.AddSingleton<CreationGate>();
        services.AddSingleton<RegistrationAdmin>();
        services.AddSingleton(sp => RegistrationInfoFactory.Create(sp.GetRequiredService<IOptions<RegistrationOptions>>().Value, sp.GetRequiredService<TokenKeys>()));
        services.AddSingleton<IRequestHandler, RedeemInviteHandler>();
        services.AddSingleton<IOperatorReport, RegistrationReport>();
    }
}
