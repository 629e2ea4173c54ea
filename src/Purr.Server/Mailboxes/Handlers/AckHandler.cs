using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>Deletes the head message once the recipient has it; the next one is then pushed to the subscriber.</summary>
internal sealed class AckHandler(
    IMailboxStore store, MailboxAuthenticator authenticator, LiveDelivery delivery, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.Ack;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.Ack;
        OpaqueId receiveId;
        if (OpaqueId.TryFromBytes(request.ReceiveId.Span, out var subscribed) && delivery.HoldsSubscription(subscribed, context.Session))
        {
            // The subscription was signed by the recipient key over this connection's nonce, so the
            // connection already speaks for the recipient: its acks need no signature of their own
            // (an Ed25519 verification per delivered message was a third of the server's CPU).
            receiveId = subscribed;
        }
        else
        {
            var mailbox = await authenticator.AuthenticateRecipientAsync(request.ReceiveId, context, cancellationToken);
            if (mailbox is null)
            {
                return Responses.Auth();
            }

            receiveId = mailbox.ReceiveId;
        }

        if (!OpaqueId.TryFromBytes(request.MessageId.Span, out var messageId))
        {
            return Responses.InvalidArgument($"message_id must be {OpaqueId.Length} bytes");
        }

        // Only the head may be acknowledged (delivery is in order, one message at a time); the store deletes it
        // and hands back the next one in the same step, which goes out right after the Ok.
        var acked = await store.AcknowledgeAsync(receiveId, messageId, time.GetUtcNow(), cancellationToken);
        if (!acked.Acknowledged)
        {
            return Responses.Error(ErrorCode.NoMessage, "that message is not at the head of the mailbox");
        }

        context.AfterResponse(() => delivery.AcknowledgedAsync(receiveId, messageId, acked.Next, CancellationToken.None));
        return Responses.Ok();
    }
}
