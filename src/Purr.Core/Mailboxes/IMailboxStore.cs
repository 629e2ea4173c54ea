using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>
/// Where mailboxes and their messages live. Every backend passes the same contract tests
/// (tests/Purr.Storage.Tests). Each method is atomic; none throws for an unknown id.
/// </summary>
public interface IMailboxStore : IAsyncDisposable
{
    /// <summary>False when either id is already taken (the caller draws new ids).</summary>
    ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default);

    ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default);

    ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default);

    /// <summary>Locks the mailbox to one sender key. Setting the same key again succeeds.</summary>
    ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default);

    /// <summary>Deletes the mailbox and all its messages. False when it did not exist.</summary>
    ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a message unless the mailbox already holds <paramref name="quota"/> unexpired messages,
    /// checked and written in one step so concurrent senders cannot overshoot. Answers
    /// <see cref="EnqueueResult.StoredAsHead"/> when the mailbox held no unexpired message before: the new one
    /// is then the head, and can be pushed to a subscriber without reading it back.
    /// </summary>
    ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The oldest unexpired message, or null.</summary>
    ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Acknowledges a delivery in one step (the shape of SimpleX's ACK): deletes <paramref name="messageId"/> if it
    /// is the mailbox's oldest unexpired message, and returns the oldest unexpired message after it. One round
    /// trip per acknowledged delivery, which matters once the store is a shared database.
    /// </summary>
    ValueTask<AckResult> AcknowledgeAsync(
        OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes one message. False when the mailbox holds no message with that id.</summary>
    ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every message whose expiry is at or before <paramref name="now"/>; returns how many.</summary>
    ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Unexpired messages in a mailbox (for quotas, tests and operators' aggregate metrics).</summary>
    ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Totals for the operator (purrctl status): how many mailboxes and unexpired messages, nothing per mailbox.</summary>
    ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

public readonly record struct MailboxStoreTotals(long Mailboxes, long Messages);

public enum SecureResult
{
    Secured,
    NotFound,
    AlreadySecured,
}

public enum EnqueueResult
{
    /// <summary>Stored behind older unexpired messages.</summary>
    Stored,
    NotFound,
    QuotaExceeded,

    /// <summary>Stored, and it is the mailbox's only unexpired message: the new head.</summary>
    StoredAsHead,
}

/// <param name="Acknowledged">False when the message was not the head (nothing was deleted).</param>
/// <param name="Next">The head after the acknowledgement (or the unchanged head when nothing was deleted).</param>
public readonly record struct AckResult(bool Acknowledged, StoredMessage? Next);

public static class EnqueueResultExtensions
{
    public static bool IsStored(this EnqueueResult result) => result is EnqueueResult.Stored or EnqueueResult.StoredAsHead;
}
