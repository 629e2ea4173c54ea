using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>A ciphertext waiting in a mailbox until it is acknowledged or expires.</summary>
/// <param name="ReceivedAt">Rounded down to the minute by the server before storing.</param>
public sealed record StoredMessage(OpaqueId Id, byte[] Payload, DateTimeOffset ReceivedAt, DateTimeOffset ExpiresAt);
