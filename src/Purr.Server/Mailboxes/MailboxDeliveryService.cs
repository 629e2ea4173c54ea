using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>The mailbox module's implementation of <see cref="IMailboxDelivery"/>.</summary>
internal sealed class MailboxDeliveryService(
    IMailboxStore store, MailboxIntake intake, LiveDelivery live, MailboxAuthenticator authenticator, IMailboxSignal signal)
    : IMailboxDelivery
{
    public async ValueTask<MailboxDeliveryResult> DeliverAsync(OpaqueId receiveId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var mailbox = await store.FindByReceiveIdAsync(receiveId, cancellationToken);
        if (mailbox is null)
        {
            return MailboxDeliveryResult.NoSuchMailbox;
        }

        var accepted = await intake.AcceptAsync(mailbox, payload.ToArray(), cancellationToken);
        if (accepted.Push is { } push)
        {
            await push();
        }

        return accepted.Result switch
        {
            EnqueueResult.Stored or EnqueueResult.StoredAsHead => MailboxDeliveryResult.Delivered,
            EnqueueResult.QuotaExceeded => MailboxDeliveryResult.Full,
            _ => MailboxDeliveryResult.NoSuchMailbox,
        };
    }

    public async ValueTask<bool> IsProvenAsync(ByteString receiveId, RequestContext context, CancellationToken cancellationToken = default) =>
        await authenticator.AuthenticateNamedMailboxAsync(receiveId, context, cancellationToken) is not null;

    public async ValueTask DeleteAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        await store.DeleteMailboxAsync(receiveId, cancellationToken);
        live.MailboxDeleted(receiveId);
        await signal.DeletedAsync(receiveId, cancellationToken);
    }
}
