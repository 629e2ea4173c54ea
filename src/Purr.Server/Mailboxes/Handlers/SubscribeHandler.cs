using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>Subscribes this connection to a mailbox; the head message follows the Ok.</summary>
internal sealed class SubscribeHandler(
    MailboxAuthenticator authenticator, LiveDelivery delivery, IMailboxSignal signal, IOptions<MailboxConnectionOptions> limits) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.Subscribe;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await authenticator.AuthenticateRecipientAsync(context.Request.Subscribe.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        if (delivery.Subscribe(mailbox.ReceiveId, context.Session, limits.Value.MaxSubscriptionsPerConnection) == SubscribeOutcome.TooMany)
        {
            return Responses.Error(ErrorCode.TooManySubscriptions, "this connection holds the maximum number of subscriptions");
        }

        // Another process holding this mailbox's subscription hands it over (a client that moved to this node).
        await signal.SubscribedAsync(mailbox.ReceiveId, cancellationToken);
        context.AfterResponse(() => delivery.DeliverHeadAsync(mailbox.ReceiveId, CancellationToken.None));
        return Responses.Ok();
    }
}
