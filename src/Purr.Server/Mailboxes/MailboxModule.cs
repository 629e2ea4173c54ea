using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Purr.Server.Mailboxes.Handlers;
using Purr.Server.Modules;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Mailboxes;

/// <summary>Mailboxes: create, secure, send, subscribe, fetch, ack, delete, block lists, and the expiry sweeper.</summary>
public sealed class MailboxModule : IPurrModule
{
    public string Name => "mailboxes";

    public void Register(IServiceCollection services)
    {
        services.AddOptions<MailboxOptions>().BindConfiguration(MailboxOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailboxOptions>, MailboxOptionsValidator>();
        services.AddOptions<MailboxConnectionOptions>().BindConfiguration(ConnectionLimitsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailboxConnectionOptions>, MailboxConnectionOptionsValidator>();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ConnectionLimitsOptions>, FrameLimitValidator>();
        services.AddSingleton<ILimitsContributor, MailboxLimits>();
        services.TryAddSingleton<MailboxAuthenticator>();
        services.TryAddSingleton<LiveDelivery>();
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<LiveDelivery>());
        services.TryAddSingleton<MailboxIntake>();
        services.TryAddSingleton<MailboxSendLimiter>();
        services.TryAddSingleton<IMailboxDelivery, MailboxDeliveryService>();
        services.TryAddSingleton<IMailboxSignal, InProcessMailboxSignal>();
        services.AddSingleton<IRequestHandler, CreateMailboxHandler>();
        services.AddSingleton<IRequestHandler, SecureMailboxHandler>();
        services.AddSingleton<IRequestHandler, SendMessageHandler>();
        services.AddSingleton<IRequestHandler, SubscribeHandler>();
        services.AddSingleton<IRequestHandler, UnsubscribeHandler>();
        services.AddSingleton<IRequestHandler, FetchHandler>();
        services.AddSingleton<IRequestHandler, AckHandler>();
        services.AddSingleton<IRequestHandler, DeleteMailboxHandler>();
        services.AddSingleton<IRequestHandler, BlockSendersHandler>();
        services.AddHostedService<ExpirySweeper>();
        services.AddSingleton<IOperatorReport, MailboxReport>();
    }
}
