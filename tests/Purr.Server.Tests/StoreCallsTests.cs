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
        await using var run = await SubscribedMailbox.StartAsync(storage);
        var (counting, recipient, sender, key, mailbox) = (run.Counting, run.Recipient, run.Sender, run.Key, run.Mailbox);
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
        await using var run = await SubscribedMailbox.StartAsync(storage);
        var (counting, recipient, sender, key, mailbox) = (run.Counting, run.Recipient, run.Sender, run.Key, run.Mailbox);
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

    /// <summary>A server whose store counts calls, a recipient subscribed to a fresh mailbox, a sender; counts reset.</summary>
    private sealed class SubscribedMailbox : IAsyncDisposable
    {
        private RunningServer server = null!;

        public CountingMailboxStore Counting { get; private set; } = null!;

        public PurrConnection Recipient { get; private set; } = null!;

        public PurrConnection Sender { get; private set; } = null!;

        public Ed25519KeyPair Key { get; } = Ed25519KeyPair.Generate();

        public MailboxInfo Mailbox { get; private set; } = null!;

        public static async Task<SubscribedMailbox> StartAsync(string storage)
        {
            var run = new SubscribedMailbox();
            run.server = await RunningServer.StartAsync(storage, decorateStore: inner => run.Counting = new CountingMailboxStore(inner));
            run.Recipient = await run.server.ConnectAsync();
            run.Sender = await run.server.ConnectAsync();
            run.Mailbox = await run.Recipient.CreateMailboxAsync(run.Key);
            await run.Recipient.SubscribeAsync(run.Mailbox.ReceiveId, run.Key);
            await run.Recipient.PingAsync(); // the subscribe's own head lookup runs after its Ok; this waits it out
            run.Counting.Reset();
            return run;
        }

        public async ValueTask DisposeAsync()
        {
            await Recipient.DisposeAsync();
            await Sender.DisposeAsync();
            Key.Dispose();
            await server.DisposeAsync();
        }
    }
}
