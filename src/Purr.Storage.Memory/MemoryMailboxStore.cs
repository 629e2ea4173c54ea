using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Memory;

/// <summary>
/// Keeps everything in process memory and writes nothing to disk: a restart forgets every
/// mailbox. One lock guards all state; operations are short and never wait on I/O.
/// </summary>
public sealed class MemoryMailboxStore : IMailboxStore, IMailboxBlockStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<OpaqueId, Entry> byReceiveId = [];
    private readonly Dictionary<OpaqueId, OpaqueId> receiveIdBySendId = [];

    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (byReceiveId.ContainsKey(mailbox.ReceiveId) || receiveIdBySendId.ContainsKey(mailbox.SendId)
                || byReceiveId.ContainsKey(mailbox.SendId) || receiveIdBySendId.ContainsKey(mailbox.ReceiveId))
            {
                return ValueTask.FromResult(false);
            }

            byReceiveId[mailbox.ReceiveId] = new Entry(mailbox);
            receiveIdBySendId[mailbox.SendId] = mailbox.ReceiveId;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(byReceiveId.TryGetValue(receiveId, out var entry) ? entry.Mailbox : null);
        }
    }

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(
                receiveIdBySendId.TryGetValue(sendId, out var receiveId) ? byReceiveId[receiveId].Mailbox : null);
        }
    }

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult(SecureResult.NotFound);
            }

            if (entry.Mailbox.SenderKey is { } existing)
            {
                return ValueTask.FromResult(existing.AsSpan().SequenceEqual(senderKey) ? SecureResult.Secured : SecureResult.AlreadySecured);
            }

            entry.Mailbox = entry.Mailbox with { SenderKey = senderKey.ToArray() };
            return ValueTask.FromResult(SecureResult.Secured);
        }
    }

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.Remove(receiveId, out var entry))
            {
                return ValueTask.FromResult(false);
            }

            receiveIdBySendId.Remove(entry.Mailbox.SendId);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult(EnqueueResult.NotFound);
            }

            // Counted only when the list (expired messages not yet swept included) has reached the quota: a count on
            // every send, under the store's one lock, made each send cost as much as the mailbox's backlog, so a
            // server past its capacity (mailboxes filling up) slowed down further (about twice the CPU per message).
            var head = entry.Messages.FirstOrDefault(m => m.ExpiresAt > now);
            if (entry.Messages.Count >= quota && entry.Messages.Count(m => m.ExpiresAt > now) >= quota)
            {
                return ValueTask.FromResult(EnqueueResult.QuotaExceeded);
            }

            entry.Messages.AddLast(message);
            return ValueTask.FromResult(head is null ? EnqueueResult.StoredAsHead : EnqueueResult.Stored);
        }
    }

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult<StoredMessage?>(null);
            }

            return ValueTask.FromResult(entry.Messages.FirstOrDefault(m => m.ExpiresAt > now));
        }
    }

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult(new AckResult(false, null));
            }

            var head = entry.Messages.FirstOrDefault(m => m.ExpiresAt > now);
            if (head is null || head.Id != messageId)
            {
                return ValueTask.FromResult(new AckResult(false, head));
            }

            entry.Messages.Remove(head);
            return ValueTask.FromResult(new AckResult(true, entry.Messages.FirstOrDefault(m => m.ExpiresAt > now)));
        }
    }

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult(false);
            }

            for (var node = entry.Messages.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == messageId)
                {
                    entry.Messages.Remove(node);
                    return ValueTask.FromResult(true);
                }
            }

            return ValueTask.FromResult(false);
        }
    }

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var deleted = 0;
            foreach (var entry in byReceiveId.Values)
            {
                for (var node = entry.Messages.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.ExpiresAt <= now)
                    {
                        entry.Messages.Remove(node);
                        deleted++;
                    }

                    node = next;
                }
            }

            return ValueTask.FromResult(deleted);
        }
    }

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(
                byReceiveId.TryGetValue(receiveId, out var entry) ? entry.Messages.Count(m => m.ExpiresAt > now) : 0);
        }
    }

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(new MailboxStoreTotals(byReceiveId.Count, byReceiveId.Values.Sum(e => (long)e.Messages.Count(m => m.ExpiresAt > now))));
        }
    }

    public ValueTask<bool> UpdateBlocksAsync(OpaqueId receiveId, IReadOnlyList<byte[]> hashes, bool clear, int max, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byReceiveId.TryGetValue(receiveId, out var entry))
            {
                return ValueTask.FromResult(false);
            }

            if (clear)
            {
                entry.Blocks.Clear();
            }

            foreach (var hash in hashes)
            {
                if (!entry.Blocks.Exists(b => b.AsSpan().SequenceEqual(hash)))
                {
                    entry.Blocks.Add(hash);
                }
            }

            if (entry.Blocks.Count > max)
            {
                entry.Blocks.RemoveRange(0, entry.Blocks.Count - max);
            }

            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<BlockCheck> CheckBlockAsync(OpaqueId receiveId, byte[]? hash, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(byReceiveId.TryGetValue(receiveId, out var entry)
                ? new BlockCheck(entry.Blocks.Count, hash is not null && entry.Blocks.Exists(b => b.AsSpan().SequenceEqual(hash)))
                : default);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Entry(MailboxRecord mailbox)
    {
        public MailboxRecord Mailbox { get; set; } = mailbox;

        public LinkedList<StoredMessage> Messages { get; } = new();

        /// <summary>Keyed hashes of blocked senders' tags, oldest first; they go with the mailbox.</summary>
        public List<byte[]> Blocks { get; } = [];
    }
}
