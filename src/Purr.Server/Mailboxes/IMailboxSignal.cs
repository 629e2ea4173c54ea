using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Mailboxes;

/// <summary>
/// What one process tells the others about mailboxes, when several purrd share one store: a message was
/// stored, a subscription moved here, a live-only message has no subscriber here, a mailbox was deleted. The
/// store stays the source of truth: a lost signal delays a message (it goes out at the next subscribe, ack or
/// refresh) but never loses it. In one process every method only reaches the local live delivery; the Redis
/// backplane (src/Purr.Backplane.Redis) carries them between processes.
/// </summary>
public interface IMailboxSignal
{
    /// <summary>Taken before the store write; passed back with the signal (an in-process detail a remote signal ignores).</summary>
    DeliveryTicket Before(OpaqueId receiveId);

    /// <param name="newHead">The stored message when it became the mailbox's head, so a local subscriber needs no read; else null.</param>
    ValueTask MessageStoredAsync(OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default);

    /// <summary>A connection of this process subscribed: a subscription to the same mailbox elsewhere ends (the newest wins).</summary>
    ValueTask SubscribedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default);

    /// <summary>A live-only message found no subscriber in this process: one elsewhere may take it; never stored.</summary>
    ValueTask LiveMessageAsync(OpaqueId receiveId, StoredMessage message, CancellationToken cancellationToken = default);

    /// <summary>The mailbox was deleted: its subscriber elsewhere is forgotten.</summary>
    ValueTask DeletedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default);
}

/// <summary>The signal within one process: straight to the local live delivery; nothing to tell anyone else.</summary>
internal sealed class InProcessMailboxSignal(LiveDelivery live) : IMailboxSignal
{
    public DeliveryTicket Before(OpaqueId receiveId) => live.Ticket(receiveId);

    public ValueTask MessageStoredAsync(OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default) =>
        live.MessageStoredAsync(receiveId, newHead, before, cancellationToken);

    public ValueTask SubscribedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask LiveMessageAsync(OpaqueId receiveId, StoredMessage message, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DeletedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
