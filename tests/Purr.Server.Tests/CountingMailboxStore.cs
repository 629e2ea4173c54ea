using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Tests;

/// <summary>A store that counts every call by operation and passes it on: what one delivered message costs.</summary>
internal sealed class CountingMailboxStore(IMailboxStore inner) : IMailboxStore
{
    private readonly ConcurrentDictionary<string, int> calls = new();

    public IReadOnlyDictionary<string, int> Calls => calls;

    public int Total => calls.Values.Sum();

    public void Reset() => calls.Clear();

    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default) =>
        Count(inner.CreateMailboxAsync(mailbox, cancellationToken));

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        Count(inner.FindByReceiveIdAsync(receiveId, cancellationToken));

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        Count(inner.FindBySendIdAsync(sendId, cancellationToken));

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default) =>
        Count(inner.SecureMailboxAsync(receiveId, senderKey, cancellationToken));

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        Count(inner.DeleteMailboxAsync(receiveId, cancellationToken));

    public ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.EnqueueAsync(receiveId, message, quota, now, cancellationToken));

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.PeekAsync(receiveId, now, cancellationToken));

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.AcknowledgeAsync(receiveId, messageId, now, cancellationToken));

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default) =>
        Count(inner.DeleteMessageAsync(receiveId, messageId, cancellationToken));

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.DeleteExpiredAsync(now, cancellationToken));

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.CountMessagesAsync(receiveId, now, cancellationToken));

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Count(inner.TotalsAsync(now, cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private ValueTask<T> Count<T>(ValueTask<T> call, [CallerMemberName] string operation = "")
    {
        calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return call;
    }
}
