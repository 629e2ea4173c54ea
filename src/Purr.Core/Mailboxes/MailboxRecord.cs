using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>
/// What the server keeps about a mailbox: two unrelated ids, the keys that may act on it, and its
/// limits. Nothing links it to a person or to other mailboxes; no creation time is kept.
/// </summary>
/// <param name="ReceiveId">Known only to the recipient; names the mailbox in every recipient request.</param>
/// <param name="SendId">Given to senders; unrelated to <paramref name="ReceiveId"/>.</param>
/// <param name="RecipientKey">Ed25519 public key that signs recipient requests.</param>
/// <param name="SenderKey">Ed25519 public key every send must be signed by, once the mailbox is secured.</param>
/// <param name="LifetimeSeconds">How long a stored message lives; 0 = live only, never stored.</param>
/// <param name="Quota">Most messages stored at once.</param>
public sealed record MailboxRecord(
    OpaqueId ReceiveId,
    OpaqueId SendId,
    byte[] RecipientKey,
    byte[]? SenderKey,
    uint LifetimeSeconds,
    int Quota)
{
    public bool IsLiveOnly => LifetimeSeconds == 0;
}
