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
        services.AddSingleton<IValidateOptions<MailboxOptions>>(sp => new MailboxOptionsValidator());
        services.AddOptions<MailboxConnectionOptions>().BindConfiguration(ConnectionLimitsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailboxConnectionOptions>>(sp => new MailboxConnectionOptionsValidator());
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ConnectionLimitsOptions>>(sp => new FrameLimitValidator(
            sp.GetRequiredService<IOptions<MailboxOptions>>()));
        services.AddSingleton<ILimitsContributor>(sp => new MailboxLimits(
            sp.GetRequiredService<IOptions<MailboxOptions>>(), sp.GetRequiredService<IOptions<MailboxConnectionOptions>>()));
        services.TryAddSingleton(sp => new MailboxAuthenticator(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(), sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>()));
        services.TryAddSingleton(sp => new LiveDelivery(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<LiveDelivery>());
        services.TryAddSingleton(sp => new MailboxIntake(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<IMailboxSignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Purr.Server.Metrics.ServerMetrics>()));
        services.TryAddSingleton(sp => new MailboxSendLimiter(
            sp.GetRequiredService<IOptions<MailboxOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IMailboxDelivery>(sp => new MailboxDeliveryService(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<MailboxIntake>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<IMailboxSignal>()));
        services.TryAddSingleton<IMailboxSignal>(sp => new InProcessMailboxSignal(sp.GetRequiredService<LiveDelivery>()));
        services.AddSingleton<IRequestHandler>(sp => new CreateMailboxHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<Purr.Server.Registration.CreationGate>(),
            sp.GetRequiredService<IOptions<MailboxOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new SecureMailboxHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(), sp.GetRequiredService<MailboxAuthenticator>()));
        services.AddSingleton<IRequestHandler>(sp => new SendMessageHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxBlockStore>(),
            sp.GetRequiredService<MailboxIntake>(),
            sp.GetRequiredService<MailboxSendLimiter>(),
            sp.GetRequiredService<IOptions<MailboxOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new GetMailboxKeyHandler(
            sp.GetRequiredService<MailboxAuthenticator>(), sp.GetRequiredService<Purr.Server.Identity.ServerIdentity>()));
        services.AddSingleton<IRequestHandler>(sp => new SubscribeHandler(
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<IMailboxSignal>(),
            sp.GetRequiredService<IOptions<MailboxConnectionOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new UnsubscribeHandler(
            sp.GetRequiredService<MailboxAuthenticator>(), sp.GetRequiredService<LiveDelivery>()));
        services.AddSingleton<IRequestHandler>(sp => new FetchHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => new AckHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRequestHandler>(sp => new DeleteMailboxHandler(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<IMailboxSignal>()));
        services.AddSingleton<IRequestHandler>(sp => new BlockSendersHandler(
            sp.GetRequiredService<MailboxAuthenticator>(),
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxBlockStore>(),
            sp.GetRequiredService<IOptions<MailboxOptions>>()));
        services.AddHostedService(sp => new ExpirySweeper(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<LiveDelivery>(),
            sp.GetRequiredService<IOptions<MailboxOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ExpirySweeper>>()));
        services.AddSingleton<IOperatorReport>(sp => new MailboxReport(
            sp.GetRequiredService<Purr.Core.Mailboxes.IMailboxStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<MailboxOptions>>(),
            sp.GetRequiredService<IOptions<MailboxConnectionOptions>>()));
    }
}
