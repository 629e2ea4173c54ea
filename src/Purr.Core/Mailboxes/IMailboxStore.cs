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
    /// checked and written in one step so concurrent senders cannot overshoot.
    /// </summary>
    ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The oldest unexpired message, or null.</summary>
    ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes one message. False when the mailbox holds no message with that id.</summary>
    ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every message whose expiry is at or before <paramref name="now"/>; returns how many.</summary>
    ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Unexpired messages in a mailbox (for quotas, tests and operators' aggregate metrics).</summary>
    ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public enum SecureResult
{
    Secured,
    NotFound,
    AlreadySecured,
}

public enum EnqueueResult
{
    Stored,
    NotFound,
    QuotaExceeded,
}
