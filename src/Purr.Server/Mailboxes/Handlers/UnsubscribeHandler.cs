using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

internal sealed class UnsubscribeHandler(MailboxAuthenticator authenticator, LiveDelivery delivery) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.Unsubscribe;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await authenticator.AuthenticateRecipientAsync(context.Request.Unsubscribe.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        delivery.Unsubscribe(mailbox.ReceiveId, context.Session);
        return Responses.Ok();
    }
}
