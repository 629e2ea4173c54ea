using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>
/// Delivers ciphertext to a mailbox by its send id: stored within the quota and pushed to the
/// subscriber, or for a live-only mailbox pushed to the subscriber if any and otherwise dropped.
/// The answer is the same either way, so a sender cannot tell whether the recipient is online.
/// </summary>
internal sealed class SendMessageHandler(
    IMailboxStore store, LiveDelivery delivery, IMailboxSignal signal, IOptions<MailboxOptions> options, TimeProvider time) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SendMessage;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.SendMessage;
        var mailbox = OpaqueId.TryFromBytes(request.SendId.Span, out var sendId)
            ? await store.FindBySendIdAsync(sendId, cancellationToken)
            : null;
        if (mailbox is null || !MailboxAuthenticator.AuthenticateSender(mailbox, context))
        {
            return Responses.Auth();
        }

        if (request.Payload.Length > options.Value.MaxMessageBytes)
        {
            return Responses.Error(ErrorCode.MessageTooLarge, $"payloads are limited to {options.Value.MaxMessageBytes} bytes");
        }

        var now = time.GetUtcNow();
        var message = MailboxMessages.Create(request.Payload.Span, now, mailbox.LifetimeSeconds);
        var accepted = new ServerFrame { MessageAccepted = new MessageAccepted { MessageId = ByteString.CopyFrom(message.Id.ToBytes()) } };
        if (mailbox.IsLiveOnly)
        {
            // Who is subscribed is decided now, when the message is accepted: one who subscribes between this
            // and the push (below, after the response) must not get a message that was sent before it came.
            if (delivery.SubscriberOf(mailbox.ReceiveId) is { } subscriber)
            {
                context.AfterResponse(() =>
                {
                    delivery.DeliverLive(mailbox.ReceiveId, subscriber, message);
                    return ValueTask.CompletedTask;
                });
            }

            return accepted;
        }

        var before = signal.Before(mailbox.ReceiveId);
        var result = await store.EnqueueAsync(mailbox.ReceiveId, message, mailbox.Quota, now, cancellationToken);
        switch (result)
        {
            case EnqueueResult.Stored or EnqueueResult.StoredAsHead:
                var newHead = result == EnqueueResult.StoredAsHead ? message : null;
                context.AfterResponse(() => signal.MessageStoredAsync(mailbox.ReceiveId, newHead, before, CancellationToken.None));
                return accepted;
            case EnqueueResult.QuotaExceeded:
                return Responses.Error(ErrorCode.QuotaExceeded, "the mailbox is full; nothing was dropped");
            default:
                return Responses.Auth();
        }
    }
}
