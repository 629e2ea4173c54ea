using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>Returns the head message without subscribing: for clients that poll.</summary>
internal sealed class FetchHandler(IMailboxStore store, MailboxAuthenticator authenticator, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.Fetch;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await authenticator.AuthenticateRecipientAsync(context.Request.Fetch.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        var head = await store.PeekAsync(mailbox.ReceiveId, time.GetUtcNow(), cancellationToken);
        var result = new FetchResult();
        if (head is not null)
        {
            result.Message = MailboxMessages.ToWire(head);
        }

        return new ServerFrame { FetchResult = result };
    }
}
