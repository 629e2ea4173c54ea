using Purr.Core.Mailboxes;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>Locks a mailbox to one sender key; from then on every send must be signed by it.</summary>
internal sealed class SecureMailboxHandler(IMailboxStore store, MailboxAuthenticator authenticator) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SecureMailbox;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.SecureMailbox;
        var mailbox = await authenticator.AuthenticateRecipientAsync(request.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        if (request.SenderKey.Length != Ed25519.PublicKeyBytes)
        {
            return Responses.InvalidArgument($"sender_key must be {Ed25519.PublicKeyBytes} bytes");
        }

        return await store.SecureMailboxAsync(mailbox.ReceiveId, request.SenderKey.ToByteArray(), cancellationToken) switch
        {
            SecureResult.Secured => Responses.Ok(),
            SecureResult.AlreadySecured => Responses.Error(ErrorCode.AlreadySecured, "the mailbox is locked to another sender key"),
            _ => Responses.Auth(),
        };
    }
}
