using Purr.Core.Ids;

namespace Purr.Core.Mailboxes;

/// <summary>
/// Per-mailbox block lists for senders who cannot be named (PROTOCOL.md 4, "Blocking"): the recipient uploads the block
/// tags of requests it wants no more of, and the server keeps only keyed hashes of them. A mailbox's list goes with it.
/// Every backend passes the same contract tests (tests/Purr.Storage.Tests).
/// </summary>
public interface IMailboxBlockStore
{
    /// <summary>
    /// Adds hashes not already listed, then keeps only the newest <paramref name="max"/>. With <paramref name="clear"/> the
    /// list is emptied first. False (changing nothing) for an unknown mailbox.
    /// </summary>
    ValueTask<bool> UpdateBlocksAsync(OpaqueId receiveId, IReadOnlyList<byte[]> hashes, bool clear, int max, CancellationToken cancellationToken = default);

    /// <summary>How many hashes the mailbox lists, and whether <paramref name="hash"/> (when given) is one of them.</summary>
    ValueTask<BlockCheck> CheckBlockAsync(OpaqueId receiveId, byte[]? hash, CancellationToken cancellationToken = default);
}

public readonly record struct BlockCheck(int Count, bool Blocked);
