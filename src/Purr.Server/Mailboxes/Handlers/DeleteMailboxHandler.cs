using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

internal sealed class DeleteMailboxHandler(
    IMailboxStore store, MailboxAuthenticator authenticator, LiveDelivery delivery, IMailboxSignal signal) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.DeleteMailbox;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await authenticator.AuthenticateRecipientAsync(context.Request.DeleteMailbox.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        await store.DeleteMailboxAsync(mailbox.ReceiveId, cancellationToken);
        delivery.MailboxDeleted(mailbox.ReceiveId);
        await signal.DeletedAsync(mailbox.ReceiveId, cancellationToken);
        return Responses.Ok();
    }
}
