using System.Diagnostics;
using System.Runtime.CompilerServices;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Metrics;

/// <summary>The mailbox store with each call's duration observed (purr_store_operation_duration_seconds{operation}).</summary>
public sealed class TimedMailboxStore(IMailboxStore inner, ServerMetrics metrics) : IMailboxStore
{
    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default) =>
        Time(inner.CreateMailboxAsync(mailbox, cancellationToken));

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        Time(inner.FindByReceiveIdAsync(receiveId, cancellationToken));

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        Time(inner.FindBySendIdAsync(sendId, cancellationToken));

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default) =>
        Time(inner.SecureMailboxAsync(receiveId, senderKey, cancellationToken));

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        Time(inner.DeleteMailboxAsync(receiveId, cancellationToken));

    public ValueTask<EnqueueResult> EnqueueAsync(OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.EnqueueAsync(receiveId, message, quota, now, cancellationToken));

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.PeekAsync(receiveId, now, cancellationToken));

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.AcknowledgeAsync(receiveId, messageId, now, cancellationToken));

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default) =>
        Time(inner.DeleteMessageAsync(receiveId, messageId, cancellationToken));

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.DeleteExpiredAsync(now, cancellationToken));

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.CountMessagesAsync(receiveId, now, cancellationToken));

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Time(inner.TotalsAsync(now, cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async ValueTask<T> Time<T>(ValueTask<T> call, [CallerMemberName] string operation = "")
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call;
        }
        finally
        {
            metrics.StoreCall(operation.Replace("Async", "", StringComparison.Ordinal), Stopwatch.GetElapsedTime(started));
        }
    }
}
