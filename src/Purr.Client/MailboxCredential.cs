namespace Purr.Client;

/// <summary>
/// A mailbox's key from its server (PROTOCOL.md 4, "Mailbox keys"): as strong as the recipient key on that server, so
/// kept as secret as it. With it a request proves the mailbox with a keyed hash instead of a signature, and a connection
/// whose hello names it has the server prove itself the same way.
/// </summary>
public sealed record MailboxCredential(byte[] ReceiveId, byte[] Key);
