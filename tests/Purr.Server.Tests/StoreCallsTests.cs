using Purr.Client;
using Purr.Crypto;

namespace Purr.Server.Tests;

/// <summary>
/// What one delivered message costs the store, counted at the store's interface: a lookup of the mailbox by
/// send id, the write, and one acknowledge-and-next step. No read-back of the head, which is what lets a
/// shared database (several purrd processes) carry the load. It used to be six calls.
/// </summary>
public sealed class StoreCallsTests
{
    private const int Messages = 40;

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task A_message_sent_to_a_waiting_subscriber_costs_three_store_calls(string storage)
    {
        CountingMailboxStore? counting = null;
        await using var server = await RunningServer.StartAsync(storage, decorateStore: inner => counting = new CountingMailboxStore(inner));
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        await recipient.SubscribeAsync(mailbox.ReceiveId, key);
        await recipient.PingAsync(); // the subscribe's own head lookup runs after its Ok; this waits it out

        counting!.Reset();
        for (var i = 0; i < Messages; i++)
        {
            await sender.SendAsync(mailbox.SendId, new[] { (byte)i });
            var received = await recipient.NextAsync<MessageReceived>();
            Assert.Equal([(byte)i], received.Payload);
            await recipient.AckAsync(mailbox.ReceiveId, received.MessageId, key);
        }

        Assert.Equal(Messages, counting.Calls.GetValueOrDefault("FindBySendIdAsync"));
        Assert.Equal(Messages, counting.Calls.GetValueOrDefault("EnqueueAsync"));
        Assert.Equal(Messages, counting.Calls.GetValueOrDefault("AcknowledgeAsync"));
        Assert.Equal(3 * Messages, counting.Total);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task A_backlog_is_delivered_in_order_at_three_store_calls_a_message(string storage)
    {
        CountingMailboxStore? counting = null;
        await using var server = await RunningServer.StartAsync(storage, decorateStore: inner => counting = new CountingMailboxStore(inner));
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        await recipient.SubscribeAsync(mailbox.ReceiveId, key);
        await recipient.PingAsync(); // the subscribe's own head lookup runs after its Ok; this waits it out

        counting!.Reset();
        for (var i = 0; i < Messages; i++)
        {
            await sender.SendAsync(mailbox.SendId, new[] { (byte)i });
        }

        for (var i = 0; i < Messages; i++)
        {
            var received = await recipient.NextAsync<MessageReceived>();
            Assert.Equal([(byte)i], received.Payload);
            await recipient.AckAsync(mailbox.ReceiveId, received.MessageId, key);
        }

        await recipient.AssertQuietAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, counting.Calls.GetValueOrDefault("PeekAsync"));
        Assert.Equal(3 * Messages, counting.Total);
    }
}
