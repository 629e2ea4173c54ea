using Google.Protobuf;
using Purr.Core.Mailboxes;
using Purr.Crypto;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Block tags as the server keeps them (PROTOCOL.md 4, "Blocking"). A sender's tag is 32 bytes its client derives for
/// this one mailbox; the server stores only BLAKE2b-256(key = the mailbox's receive id, tag), so what is stored never
/// equals what a client sent and nothing links the lists of two mailboxes.
/// </summary>
internal static class MailboxBlocks
{
    public const int TagBytes = 32;

    /// <summary>Tags one BlockSenders request may carry.</summary>
    public const int MaxTagsPerRequest = 256;

    public static byte[] Hash(MailboxRecord mailbox, ReadOnlySpan<byte> tag)
    {
        var hash = new byte[32];
        Blake2b.Hash(tag, hash, mailbox.ReceiveId.ToBytes());
        return hash;
    }

    public static bool IsValid(ByteString tag) => tag.Length == TagBytes;
}
