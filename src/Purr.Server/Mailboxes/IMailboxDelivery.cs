using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>
/// The one way into mailboxes for other modules (rooms today; federation, broadcast and presence later).
/// Nothing outside the mailbox module touches the mailbox store: a module hands over a payload, and the
/// mailbox's own lifetime, quota and live delivery apply as for any sent message.
/// </summary>
public interface IMailboxDelivery
{
    /// <summary>Stores <paramref name="payload"/> in the mailbox and pushes it to its subscriber, if any.</summary>
    ValueTask<MailboxDeliveryResult> DeliverAsync(OpaqueId receiveId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the request proves the named mailbox is the requester's: the mailbox exists and
    /// ClientFrame.mailbox_signature is its recipient key's signature over the request. Unknown and unproven
    /// cost the same and look the same.
    /// </summary>
    ValueTask<bool> IsProvenAsync(ByteString receiveId, RequestContext context, CancellationToken cancellationToken = default);

    /// <summary>Deletes the mailbox with its messages (a kicked member's room mailbox, a stopped room's).</summary>
    ValueTask DeleteAsync(OpaqueId receiveId, CancellationToken cancellationToken = default);
}

public enum MailboxDeliveryResult
{
    Delivered,
    NoSuchMailbox,
    Full,
}
