using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>
/// A store that passes every call to another around one hook (<see cref="AroundAsync"/>, given the operation's
/// name): for timing calls (metrics) or counting them (tests) without writing each operation out again.
/// </summary>
public abstract class MailboxStoreDecorator(IMailboxStore inner) : IMailboxStore
{
    /// <summary>Runs <paramref name="call"/> (not yet started) for the operation named, e.g. "Enqueue".</summary>
    protected abstract ValueTask<T> AroundAsync<T>(Func<ValueTask<T>> call, string operation);

    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.CreateMailboxAsync(mailbox, cancellationToken), "CreateMailbox");

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.FindByReceiveIdAsync(receiveId, cancellationToken), "FindByReceiveId");

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.FindBySendIdAsync(sendId, cancellationToken), "FindBySendId");

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.SecureMailboxAsync(receiveId, senderKey, cancellationToken), "SecureMailbox");

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.DeleteMailboxAsync(receiveId, cancellationToken), "DeleteMailbox");

    public ValueTask<EnqueueResult> EnqueueAsync(OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.EnqueueAsync(receiveId, message, quota, now, cancellationToken), "Enqueue");

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.PeekAsync(receiveId, now, cancellationToken), "Peek");

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.AcknowledgeAsync(receiveId, messageId, now, cancellationToken), "Acknowledge");

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.DeleteMessageAsync(receiveId, messageId, cancellationToken), "DeleteMessage");

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.DeleteExpiredAsync(now, cancellationToken), "DeleteExpired");

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.CountMessagesAsync(receiveId, now, cancellationToken), "CountMessages");

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync(() => inner.TotalsAsync(now, cancellationToken), "Totals");

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}
