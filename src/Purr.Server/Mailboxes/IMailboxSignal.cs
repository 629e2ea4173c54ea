using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Mailboxes;

/// <summary>
/// "Mailbox X has a new message": how a store write reaches the process holding X's subscription. The store
/// stays the source of truth; a lost signal delays a message (it goes out at the next subscribe or ack) but
/// never loses it. Served in process today; a cross-process implementation (Redis pub/sub, PostgreSQL NOTIFY)
/// can replace it when several purrd share one store.
/// </summary>
public interface IMailboxSignal
{
    /// <summary>Taken before the store write; passed back with the signal (an in-process detail a remote signal ignores).</summary>
    DeliveryTicket Before(OpaqueId receiveId);

    /// <param name="newHead">The stored message when it became the mailbox's head, so a local subscriber needs no read; else null.</param>
    ValueTask MessageStoredAsync(OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default);
}

/// <summary>The signal within one process: straight to the local live delivery.</summary>
internal sealed class InProcessMailboxSignal(LiveDelivery live) : IMailboxSignal
{
    public DeliveryTicket Before(OpaqueId receiveId) => live.Ticket(receiveId);

    public ValueTask MessageStoredAsync(OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default) =>
        live.MessageStoredAsync(receiveId, newHead, before, cancellationToken);
}
