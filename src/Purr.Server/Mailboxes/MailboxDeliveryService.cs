using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>The mailbox module's implementation of <see cref="IMailboxDelivery"/>.</summary>
internal sealed class MailboxDeliveryService(
    IMailboxStore store, LiveDelivery live, IMailboxSignal signal, MailboxAuthenticator authenticator, TimeProvider time)
    : IMailboxDelivery
{
    public async ValueTask<MailboxDeliveryResult> DeliverAsync(OpaqueId receiveId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var mailbox = await store.FindByReceiveIdAsync(receiveId, cancellationToken);
        if (mailbox is null)
        {
            return MailboxDeliveryResult.NoSuchMailbox;
        }

        var now = time.GetUtcNow();
        var message = MailboxMessages.Create(payload.Span, now, mailbox.LifetimeSeconds);
        if (mailbox.IsLiveOnly)
        {
            if (live.SubscriberOf(receiveId) is { } subscriber)
            {
                live.DeliverLive(receiveId, subscriber, message);
            }

            return MailboxDeliveryResult.Delivered;
        }

        var before = signal.Before(receiveId);
        var stored = await store.EnqueueAsync(receiveId, message, mailbox.Quota, now, cancellationToken);
        switch (stored)
        {
            case EnqueueResult.Stored or EnqueueResult.StoredAsHead:
                await signal.MessageStoredAsync(receiveId, stored == EnqueueResult.StoredAsHead ? message : null, before, cancellationToken);
                return MailboxDeliveryResult.Delivered;
            case EnqueueResult.QuotaExceeded:
                return MailboxDeliveryResult.Full;
            default:
                return MailboxDeliveryResult.NoSuchMailbox;
        }
    }

    public async ValueTask<bool> IsProvenAsync(ByteString receiveId, RequestContext context, CancellationToken cancellationToken = default) =>
        await authenticator.AuthenticateNamedMailboxAsync(receiveId, context, cancellationToken) is not null;

    public async ValueTask DeleteAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        await store.DeleteMailboxAsync(receiveId, cancellationToken);
        live.MailboxDeleted(receiveId);
    }
}
