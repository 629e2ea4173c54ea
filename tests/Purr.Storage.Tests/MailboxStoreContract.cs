using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Tests;

/// <summary>
/// The behaviour every IMailboxStore must have. Each backend derives from this class once; a new
/// backend (PostgreSQL) joins by adding one more subclass.
/// </summary>
public abstract class MailboxStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected IMailboxStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected abstract Task<IMailboxStore> CreateStoreAsync();

    protected static MailboxRecord NewMailbox(int quota = 10, uint lifetime = 3600) =>
        new(OpaqueId.NewRandom(), OpaqueId.NewRandom(), [.. Enumerable.Range(0, 32).Select(i => (byte)i)], null, lifetime, quota);

    protected static StoredMessage NewMessage(byte marker, TimeSpan? lifetime = null) =>
        new(OpaqueId.NewRandom(), [marker, 1, 2, 3], Now.AddMinutes(-1), Now + (lifetime ?? TimeSpan.FromHours(1)));

    [Fact]
    public async Task Totals_count_mailboxes_and_unexpired_messages_only()
    {
        Assert.Equal(new MailboxStoreTotals(0, 0), await Store.TotalsAsync(Now));
        var first = NewMailbox();
        var second = NewMailbox();
        await Store.CreateMailboxAsync(first);
        await Store.CreateMailboxAsync(second);
        await Store.EnqueueAsync(first.ReceiveId, NewMessage(1), 10, Now);
        await Store.EnqueueAsync(first.ReceiveId, NewMessage(2, TimeSpan.FromMinutes(5)), 10, Now);
        await Store.EnqueueAsync(second.ReceiveId, NewMessage(3), 10, Now);
        Assert.Equal(new MailboxStoreTotals(2, 3), await Store.TotalsAsync(Now));
        Assert.Equal(new MailboxStoreTotals(2, 2), await Store.TotalsAsync(Now.AddMinutes(10)));
        await Store.DeleteMailboxAsync(second.ReceiveId);
        Assert.Equal(new MailboxStoreTotals(1, 2), await Store.TotalsAsync(Now));
    }

    [Fact]
    public async Task Created_mailbox_is_found_by_either_id_and_by_nothing_else()
    {
        var mailbox = NewMailbox();
        Assert.True(await Store.CreateMailboxAsync(mailbox));

        var byReceive = await Store.FindByReceiveIdAsync(mailbox.ReceiveId);
        var bySend = await Store.FindBySendIdAsync(mailbox.SendId);
        Assert.NotNull(byReceive);
        Assert.Equal(mailbox.SendId, byReceive.SendId);
        Assert.Equal(mailbox.RecipientKey, byReceive.RecipientKey);
        Assert.Equal(mailbox.LifetimeSeconds, byReceive.LifetimeSeconds);
        Assert.Equal(mailbox.Quota, byReceive.Quota);
        Assert.Null(byReceive.SenderKey);
        Assert.Equal(mailbox.ReceiveId, bySend!.ReceiveId);
        Assert.Null(await Store.FindByReceiveIdAsync(mailbox.SendId));
        Assert.Null(await Store.FindBySendIdAsync(mailbox.ReceiveId));
        Assert.Null(await Store.FindByReceiveIdAsync(OpaqueId.NewRandom()));
    }

    [Fact]
    public async Task Ids_already_in_use_are_refused()
    {
        var mailbox = NewMailbox();
        Assert.True(await Store.CreateMailboxAsync(mailbox));
        Assert.False(await Store.CreateMailboxAsync(NewMailbox() with { ReceiveId = mailbox.ReceiveId }));
        Assert.False(await Store.CreateMailboxAsync(NewMailbox() with { SendId = mailbox.SendId }));
        Assert.False(await Store.CreateMailboxAsync(NewMailbox() with { ReceiveId = mailbox.SendId }));
    }

    [Fact]
    public async Task Securing_sets_the_sender_key_once()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        byte[] key = [.. Enumerable.Repeat((byte)7, 32)];
        Assert.Equal(SecureResult.Secured, await Store.SecureMailboxAsync(mailbox.ReceiveId, key));
        Assert.Equal(SecureResult.Secured, await Store.SecureMailboxAsync(mailbox.ReceiveId, key));
        Assert.Equal(SecureResult.AlreadySecured, await Store.SecureMailboxAsync(mailbox.ReceiveId, new byte[32]));
        Assert.Equal(SecureResult.NotFound, await Store.SecureMailboxAsync(OpaqueId.NewRandom(), key));
        Assert.Equal(key, (await Store.FindBySendIdAsync(mailbox.SendId))!.SenderKey);
    }

    [Fact]
    public async Task Messages_come_out_in_order_and_delete_one_at_a_time()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        var messages = Enumerable.Range(0, 5).Select(i => NewMessage((byte)i)).ToList();
        foreach (var message in messages)
        {
            var expected = message == messages[0] ? EnqueueResult.StoredAsHead : EnqueueResult.Stored;
            Assert.Equal(expected, await Store.EnqueueAsync(mailbox.ReceiveId, message, mailbox.Quota, Now));
        }

        foreach (var message in messages)
        {
            var head = await Store.PeekAsync(mailbox.ReceiveId, Now);
            Assert.NotNull(head);
            Assert.Equal(message.Id, head.Id);
            Assert.Equal(message.Payload, head.Payload);
            Assert.Equal(message.ReceivedAt.ToUnixTimeSeconds(), head.ReceivedAt.ToUnixTimeSeconds());
            Assert.True(await Store.DeleteMessageAsync(mailbox.ReceiveId, message.Id));
            Assert.False(await Store.DeleteMessageAsync(mailbox.ReceiveId, message.Id));
        }

        Assert.Null(await Store.PeekAsync(mailbox.ReceiveId, Now));
    }

    [Fact]
    public async Task Quota_refuses_the_next_message_and_keeps_the_stored_ones()
    {
        var mailbox = NewMailbox(quota: 3);
        await Store.CreateMailboxAsync(mailbox);
        var first = NewMessage(1);
        Assert.Equal(EnqueueResult.StoredAsHead, await Store.EnqueueAsync(mailbox.ReceiveId, first, 3, Now));
        Assert.Equal(EnqueueResult.Stored, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(2), 3, Now));
        Assert.Equal(EnqueueResult.Stored, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(3), 3, Now));
        Assert.Equal(EnqueueResult.QuotaExceeded, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(4), 3, Now));
        Assert.Equal(3, await Store.CountMessagesAsync(mailbox.ReceiveId, Now));
        Assert.Equal(first.Id, (await Store.PeekAsync(mailbox.ReceiveId, Now))!.Id);
    }

    [Fact]
    public async Task Expired_messages_not_yet_swept_do_not_count_towards_the_quota()
    {
        var mailbox = NewMailbox(quota: 3);
        await Store.CreateMailboxAsync(mailbox);
        foreach (var i in new byte[] { 1, 2, 3 })
        {
            await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(i, TimeSpan.FromSeconds(1)), 3, Now);
        }

        // A minute on, all three have expired but no sweep has run: the mailbox is empty as far as the quota goes.
        var later = Now.AddMinutes(1);
        Assert.Equal(EnqueueResult.StoredAsHead, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(4), 3, later));
        Assert.Equal(EnqueueResult.Stored, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(5), 3, later));
        Assert.Equal(EnqueueResult.Stored, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(6), 3, later));
        Assert.Equal(EnqueueResult.QuotaExceeded, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(7), 3, later));
        Assert.Equal(3, await Store.CountMessagesAsync(mailbox.ReceiveId, later));
    }

    [Fact]
    public async Task A_mailbox_far_below_a_large_quota_takes_every_send()
    {
        var mailbox = NewMailbox(quota: 100_000);
        await Store.CreateMailboxAsync(mailbox);
        for (var i = 0; i < 300; i++)
        {
            var expected = i == 0 ? EnqueueResult.StoredAsHead : EnqueueResult.Stored;
            Assert.Equal(expected, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage((byte)i), 100_000, Now));
        }

        Assert.Equal(300, await Store.CountMessagesAsync(mailbox.ReceiveId, Now));
    }

    [Fact]
    public async Task Concurrent_senders_cannot_overshoot_the_quota()
    {
        var mailbox = NewMailbox(quota: 10);
        await Store.CreateMailboxAsync(mailbox);
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Store.EnqueueAsync(mailbox.ReceiveId, NewMessage((byte)i), 10, Now).AsTask()));
        Assert.Equal(10, results.Count(r => r.IsStored()));
        Assert.Equal(1, results.Count(r => r == EnqueueResult.StoredAsHead));
        Assert.Equal(10, await Store.CountMessagesAsync(mailbox.ReceiveId, Now));
    }

    [Fact]
    public async Task Acknowledge_deletes_only_the_head_and_returns_the_next_in_one_step()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        var (first, second, third) = (NewMessage(1), NewMessage(2), NewMessage(3));
        foreach (var message in new[] { first, second, third })
        {
            await Store.EnqueueAsync(mailbox.ReceiveId, message, mailbox.Quota, Now);
        }

        // Not the head: nothing deleted, the unchanged head returned.
        var refused = await Store.AcknowledgeAsync(mailbox.ReceiveId, second.Id, Now);
        Assert.False(refused.Acknowledged);
        Assert.Equal(first.Id, refused.Next!.Id);

        var acked = await Store.AcknowledgeAsync(mailbox.ReceiveId, first.Id, Now);
        Assert.True(acked.Acknowledged);
        Assert.Equal(second.Id, acked.Next!.Id);
        Assert.Equal(second.Payload, acked.Next.Payload);
        Assert.False((await Store.AcknowledgeAsync(mailbox.ReceiveId, first.Id, Now)).Acknowledged);
        Assert.Equal(third.Id, (await Store.AcknowledgeAsync(mailbox.ReceiveId, second.Id, Now)).Next!.Id);
        var last = await Store.AcknowledgeAsync(mailbox.ReceiveId, third.Id, Now);
        Assert.True(last.Acknowledged);
        Assert.Null(last.Next);
        Assert.Equal(EnqueueResult.StoredAsHead, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(4), mailbox.Quota, Now));
        Assert.Equal(new AckResult(false, null), await Store.AcknowledgeAsync(OpaqueId.NewRandom(), first.Id, Now));
    }

    [Fact]
    public async Task Acknowledge_skips_expired_messages_both_ways()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        var fleeting = NewMessage(1, TimeSpan.FromSeconds(1));
        var lasting = NewMessage(2);
        await Store.EnqueueAsync(mailbox.ReceiveId, fleeting, mailbox.Quota, Now);
        await Store.EnqueueAsync(mailbox.ReceiveId, lasting, mailbox.Quota, Now);
        var later = Now.AddMinutes(1);
        var expired = await Store.AcknowledgeAsync(mailbox.ReceiveId, fleeting.Id, later);
        Assert.False(expired.Acknowledged);
        Assert.Equal(lasting.Id, expired.Next!.Id);
        Assert.Equal(new AckResult(true, null), await Store.AcknowledgeAsync(mailbox.ReceiveId, lasting.Id, later));
    }

    [Fact]
    public async Task Enqueue_to_an_unknown_mailbox_is_not_found()
    {
        Assert.Equal(EnqueueResult.NotFound, await Store.EnqueueAsync(OpaqueId.NewRandom(), NewMessage(1), 10, Now));
    }

    [Fact]
    public async Task Expired_messages_are_invisible_and_swept()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        var shortLived = NewMessage(1, TimeSpan.FromMinutes(5));
        var longLived = NewMessage(2, TimeSpan.FromHours(2));
        await Store.EnqueueAsync(mailbox.ReceiveId, shortLived, 10, Now);
        await Store.EnqueueAsync(mailbox.ReceiveId, longLived, 10, Now);

        var later = Now.AddMinutes(10);
        Assert.Equal(longLived.Id, (await Store.PeekAsync(mailbox.ReceiveId, later))!.Id);
        Assert.Equal(1, await Store.CountMessagesAsync(mailbox.ReceiveId, later));
        Assert.Equal(1, await Store.DeleteExpiredAsync(later));
        Assert.Equal(0, await Store.DeleteExpiredAsync(later));
        Assert.Equal(longLived.Id, (await Store.PeekAsync(mailbox.ReceiveId, Now))!.Id);
    }

    [Fact]
    public async Task Expired_messages_do_not_count_against_the_quota()
    {
        var mailbox = NewMailbox(quota: 1);
        await Store.CreateMailboxAsync(mailbox);
        await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(1, TimeSpan.FromMinutes(1)), 1, Now);
        // Only expired messages before it: the new one is the head (reads skip expired messages).
        Assert.Equal(EnqueueResult.StoredAsHead, await Store.EnqueueAsync(mailbox.ReceiveId, NewMessage(2), 1, Now.AddMinutes(2)));
    }

    [Fact]
    public async Task Deleting_a_mailbox_deletes_its_messages_and_leaves_others()
    {
        var doomed = NewMailbox();
        var kept = NewMailbox();
        await Store.CreateMailboxAsync(doomed);
        await Store.CreateMailboxAsync(kept);
        await Store.EnqueueAsync(doomed.ReceiveId, NewMessage(1), 10, Now);
        await Store.EnqueueAsync(kept.ReceiveId, NewMessage(2), 10, Now);

        Assert.True(await Store.DeleteMailboxAsync(doomed.ReceiveId));
        Assert.False(await Store.DeleteMailboxAsync(doomed.ReceiveId));
        Assert.Null(await Store.FindByReceiveIdAsync(doomed.ReceiveId));
        Assert.Null(await Store.FindBySendIdAsync(doomed.SendId));
        Assert.Null(await Store.PeekAsync(doomed.ReceiveId, Now));
        Assert.Equal(0, await Store.CountMessagesAsync(doomed.ReceiveId, Now));
        Assert.NotNull(await Store.PeekAsync(kept.ReceiveId, Now));
    }

    [Fact]
    public async Task Deleting_one_message_leaves_the_rest_in_order()
    {
        var mailbox = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        var a = NewMessage(1);
        var b = NewMessage(2);
        var c = NewMessage(3);
        foreach (var m in new[] { a, b, c })
        {
            await Store.EnqueueAsync(mailbox.ReceiveId, m, 10, Now);
        }

        Assert.True(await Store.DeleteMessageAsync(mailbox.ReceiveId, b.Id));
        Assert.False(await Store.DeleteMessageAsync(OpaqueId.NewRandom(), a.Id));
        Assert.Equal(a.Id, (await Store.PeekAsync(mailbox.ReceiveId, Now))!.Id);
        await Store.DeleteMessageAsync(mailbox.ReceiveId, a.Id);
        Assert.Equal(c.Id, (await Store.PeekAsync(mailbox.ReceiveId, Now))!.Id);
    }

    [Fact]
    public async Task A_block_list_keeps_its_newest_entries_once_each_is_emptied_by_clear_and_goes_with_its_mailbox()
    {
        var blocks = Assert.IsAssignableFrom<IMailboxBlockStore>(Store);
        var mailbox = NewMailbox();
        var other = NewMailbox();
        await Store.CreateMailboxAsync(mailbox);
        await Store.CreateMailboxAsync(other);
        byte[] a = [.. Enumerable.Repeat((byte)1, 32)], b = [.. Enumerable.Repeat((byte)2, 32)], c = [.. Enumerable.Repeat((byte)3, 32)];

        Assert.Equal(new BlockCheck(0, false), await blocks.CheckBlockAsync(mailbox.ReceiveId, a));
        Assert.True(await blocks.UpdateBlocksAsync(mailbox.ReceiveId, [a, b, a], clear: false, max: 10));
        Assert.Equal(new BlockCheck(2, true), await blocks.CheckBlockAsync(mailbox.ReceiveId, a));
        Assert.Equal(new BlockCheck(2, false), await blocks.CheckBlockAsync(mailbox.ReceiveId, c));
        Assert.Equal(new BlockCheck(2, false), await blocks.CheckBlockAsync(mailbox.ReceiveId, null));
        Assert.Equal(new BlockCheck(0, false), await blocks.CheckBlockAsync(other.ReceiveId, a));

        // Beyond the limit the oldest go.
        Assert.True(await blocks.UpdateBlocksAsync(mailbox.ReceiveId, [c], clear: false, max: 2));
        Assert.Equal(new BlockCheck(2, false), await blocks.CheckBlockAsync(mailbox.ReceiveId, a));
        Assert.True((await blocks.CheckBlockAsync(mailbox.ReceiveId, c)).Blocked);

        Assert.True(await blocks.UpdateBlocksAsync(mailbox.ReceiveId, [], clear: true, max: 2));
        Assert.Equal(new BlockCheck(0, false), await blocks.CheckBlockAsync(mailbox.ReceiveId, c));
        Assert.False(await blocks.UpdateBlocksAsync(OpaqueId.NewRandom(), [a], clear: false, max: 2));

        Assert.True(await blocks.UpdateBlocksAsync(other.ReceiveId, [a], clear: false, max: 2));
        Assert.True(await Store.DeleteMailboxAsync(other.ReceiveId));
        Assert.Equal(new BlockCheck(0, false), await blocks.CheckBlockAsync(other.ReceiveId, a));
    }
}
