using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>
/// A store that passes every call to another around one hook (<see cref="AroundAsync"/>, given the operation's
/// name): for timing calls (metrics) or counting them (tests) without writing each operation out again.
/// </summary>
public abstract class MailboxStoreDecorator(IMailboxStore inner) : IMailboxStore
{
    /// <summary>
    /// Runs <paramref name="call"/> (not yet started) with <paramref name="state"/> for the operation named, e.g. "Enqueue".
    /// The calls below pass static lambdas and their arguments as a value tuple: a store call through the decorator
    /// allocates nothing of its own (a closure and a delegate per call used to be a tenth of what a message allocated).
    /// </summary>
    protected abstract ValueTask<T> AroundAsync<TState, T>(TState state, Func<TState, ValueTask<T>> call, string operation);

    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, mailbox, cancellationToken), static s => s.inner.CreateMailboxAsync(s.mailbox, s.cancellationToken), "CreateMailbox");

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, cancellationToken), static s => s.inner.FindByReceiveIdAsync(s.receiveId, s.cancellationToken), "FindByReceiveId");

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, sendId, cancellationToken), static s => s.inner.FindBySendIdAsync(s.sendId, s.cancellationToken), "FindBySendId");

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, senderKey, cancellationToken), static s => s.inner.SecureMailboxAsync(s.receiveId, s.senderKey, s.cancellationToken), "SecureMailbox");

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, cancellationToken), static s => s.inner.DeleteMailboxAsync(s.receiveId, s.cancellationToken), "DeleteMailbox");

    public ValueTask<EnqueueResult> EnqueueAsync(OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, message, quota, now, cancellationToken), static s => s.inner.EnqueueAsync(s.receiveId, s.message, s.quota, s.now, s.cancellationToken), "Enqueue");

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, now, cancellationToken), static s => s.inner.PeekAsync(s.receiveId, s.now, s.cancellationToken), "Peek");

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, messageId, now, cancellationToken), static s => s.inner.AcknowledgeAsync(s.receiveId, s.messageId, s.now, s.cancellationToken), "Acknowledge");

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, messageId, cancellationToken), static s => s.inner.DeleteMessageAsync(s.receiveId, s.messageId, s.cancellationToken), "DeleteMessage");

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, now, cancellationToken), static s => s.inner.DeleteExpiredAsync(s.now, s.cancellationToken), "DeleteExpired");

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, receiveId, now, cancellationToken), static s => s.inner.CountMessagesAsync(s.receiveId, s.now, s.cancellationToken), "CountMessages");

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AroundAsync((inner, now, cancellationToken), static s => s.inner.TotalsAsync(s.now, s.cancellationToken), "Totals");

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}
