using Purr.Client;
using Purr.Crypto;
using Google.Protobuf;
using Purr.Protocol.V1;
using ErrorCode = Purr.Protocol.V1.ErrorCode;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>End-to-end mailbox behaviour over a real WebSocket, on both storage backends.</summary>
public sealed class MailboxFlowTests
{
    public static TheoryData<string> Backends => new() { "memory", "sqlite" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Sent_message_is_pushed_to_the_subscriber(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();

        var mailbox = await recipient.CreateMailboxAsync(key);
        Assert.Equal(16, mailbox.ReceiveId.Length);
        Assert.Equal(16, mailbox.SendId.Length);
        Assert.NotEqual(mailbox.ReceiveId, mailbox.SendId);
        Assert.Equal(7u * 24 * 3600, mailbox.LifetimeSeconds);
        Assert.Equal(128u, mailbox.Quota);

        await recipient.SubscribeAsync(mailbox.ReceiveId, key);
        var id = await sender.SendAsync(mailbox.SendId, "ciphertext-1"u8.ToArray());

        var received = await recipient.NextAsync<MessageReceived>();
        Assert.Equal(mailbox.ReceiveId, received.ReceiveId);
        Assert.Equal(id, received.MessageId);
        Assert.Equal("ciphertext-1"u8.ToArray(), received.Payload);
        Assert.False(received.Live);
        Assert.Equal(0, received.ReceivedAt.ToUnixTimeSeconds() % 60);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Delivery_is_in_order_and_the_next_message_waits_for_the_ack(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        for (var i = 0; i < 5; i++)
        {
            await sender.SendAsync(mailbox.SendId, new[] { (byte)i });
        }

        await recipient.SubscribeAsync(mailbox.ReceiveId, key);
        for (var i = 0; i < 5; i++)
        {
            var message = await recipient.NextAsync<MessageReceived>();
            Assert.Equal(new[] { (byte)i }, message.Payload);
            await recipient.AssertQuietAsync(TimeSpan.FromMilliseconds(150));
            await recipient.AckAsync(mailbox.ReceiveId, message.MessageId, key);
        }

        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, key));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Fetch_returns_the_head_until_it_is_acked_and_only_the_head_can_be_acked(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var recipient = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        var first = await recipient.SendAsync(mailbox.SendId, "a"u8.ToArray());
        var second = await recipient.SendAsync(mailbox.SendId, "b"u8.ToArray());

        Assert.Equal(first, (await recipient.FetchAsync(mailbox.ReceiveId, key))!.MessageId);
        Assert.Equal(first, (await recipient.FetchAsync(mailbox.ReceiveId, key))!.MessageId);
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => recipient.AckAsync(mailbox.ReceiveId, second, key));
        Assert.Equal(ErrorCode.NoMessage, error.Code);

        await recipient.AckAsync(mailbox.ReceiveId, first, key);
        var next = await recipient.FetchAsync(mailbox.ReceiveId, key);
        Assert.Equal(second, next!.MessageId);
        Assert.Equal("b"u8.ToArray(), next.Payload);
        error = await Assert.ThrowsAsync<PurrProtocolException>(() => recipient.AckAsync(mailbox.ReceiveId, first, key));
        Assert.Equal(ErrorCode.NoMessage, error.Code);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Only_the_connection_holding_the_subscription_may_ack_without_a_signature(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var holder = await server.ConnectAsync();
        await using var other = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await holder.CreateMailboxAsync(key);
        var first = await holder.SendAsync(mailbox.SendId, "a"u8.ToArray());
        var second = await holder.SendAsync(mailbox.SendId, "b"u8.ToArray());
        Ack Unsigned(byte[] id) => new() { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId), MessageId = ByteString.CopyFrom(id) };

        // Not subscribed: an unsigned ack is refused like any unauthenticated request, and changes nothing.
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => holder.RequestAsync(new Request { Ack = Unsigned(first) }, signer: null));
        Assert.Equal(ErrorCode.Auth, error.Code);

        await holder.SubscribeAsync(mailbox.ReceiveId, key);
        Assert.Equal(first, (await holder.NextAsync<MessageReceived>()).MessageId);
        error = await Assert.ThrowsAsync<PurrProtocolException>(() => other.RequestAsync(new Request { Ack = Unsigned(first) }, signer: null));
        Assert.Equal(ErrorCode.Auth, error.Code);
        await holder.RequestAsync(new Request { Ack = Unsigned(first) }, signer: null);
        Assert.Equal(second, (await holder.NextAsync<MessageReceived>()).MessageId);

        // Taken over: the old holder's unsigned ack no longer counts; the new holder's does.
        await other.SubscribeAsync(mailbox.ReceiveId, key);
        await holder.NextAsync<Purr.Client.SubscriptionEnded>();
        error = await Assert.ThrowsAsync<PurrProtocolException>(() => holder.RequestAsync(new Request { Ack = Unsigned(second) }, signer: null));
        Assert.Equal(ErrorCode.Auth, error.Code);
        Assert.Equal(second, (await other.NextAsync<MessageReceived>()).MessageId);
        await other.AckAsync(mailbox.ReceiveId, second, key);
        Assert.Null(await other.FetchAsync(mailbox.ReceiveId, key));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Quota_refuses_the_sender_and_drops_nothing(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage, settings: new Dictionary<string, string> { ["Mailboxes:Quota"] = "3" });
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(mailbox.SendId, new[] { (byte)i });
        }

        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SendAsync(mailbox.SendId, new byte[] { 9 }));
        Assert.Equal(ErrorCode.QuotaExceeded, error.Code);
        for (var i = 0; i < 3; i++)
        {
            var message = await client.FetchAsync(mailbox.ReceiveId, key);
            Assert.Equal(new[] { (byte)i }, message!.Payload);
            await client.AckAsync(mailbox.ReceiveId, message.MessageId, key);
        }

        await client.SendAsync(mailbox.SendId, new byte[] { 10 });
    }

    [Fact]
    public async Task Message_over_the_size_limit_is_refused_and_one_at_the_limit_is_accepted()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key);

        await client.SendAsync(mailbox.SendId, new byte[64 * 1024]);
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SendAsync(mailbox.SendId, new byte[(64 * 1024) + 1]));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
        await client.PingAsync();
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Live_only_mailbox_delivers_to_subscribers_and_never_stores(string storage)
    {
        await using var server = await RunningServer.StartAsync(storage);
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key, lifetimeSeconds: 0);
        Assert.Equal(0u, mailbox.LifetimeSeconds);

        await sender.SendAsync(mailbox.SendId, "nobody-listening"u8.ToArray());
        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, key));

        await recipient.SubscribeAsync(mailbox.ReceiveId, key);
        await sender.SendAsync(mailbox.SendId, "live-1"u8.ToArray());
        await sender.SendAsync(mailbox.SendId, "live-2"u8.ToArray());
        var first = await recipient.NextAsync<MessageReceived>();
        var second = await recipient.NextAsync<MessageReceived>();
        Assert.True(first.Live);
        Assert.Equal("live-1"u8.ToArray(), first.Payload);
        Assert.Equal("live-2"u8.ToArray(), second.Payload);
        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, key));
    }

    [Fact]
    public async Task A_live_only_message_accepted_before_a_subscription_never_reaches_it()
    {
        // The push used to look for a subscriber after the sender's answer had gone out, so a subscriber who
        // arrived in between got a message sent while nobody listened (seen in 2 of about 25 outside runs).
        await using var server = await RunningServer.StartAsync();
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        for (var i = 0; i < 40; i++)
        {
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await recipient.CreateMailboxAsync(key, lifetimeSeconds: 0);
            await sender.SendAsync(mailbox.SendId, "sent-while-nobody-listened"u8.ToArray());
            await recipient.SubscribeAsync(mailbox.ReceiveId, key);
            await sender.SendAsync(mailbox.SendId, "sent-to-the-subscriber"u8.ToArray());
            Assert.Equal("sent-to-the-subscriber"u8.ToArray(), (await recipient.NextAsync<MessageReceived>()).Payload);
            await recipient.UnsubscribeAsync(mailbox.ReceiveId, key);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Expired_messages_are_swept_with_no_sleeping(string storage)
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(storage, time: time);
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var shortLived = await client.CreateMailboxAsync(key, lifetimeSeconds: 3600);
        var longLived = await client.CreateMailboxAsync(key, lifetimeSeconds: 7200);
        await client.SendAsync(shortLived.SendId, "gone-soon"u8.ToArray());
        await client.SendAsync(longLived.SendId, "stays"u8.ToArray());

        var sent = time.GetUtcNow();
        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Null(await client.FetchAsync(shortLived.ReceiveId, key));
        Assert.NotNull(await client.FetchAsync(longLived.ReceiveId, key));

        // Reads hide expired messages at once; the sweeper (driven by the same clock) erases them.
        // Peeking "as of" the send time sees a message as long as its row still exists.
        var store = (Core.Mailboxes.IMailboxStore)server.Services.GetService(typeof(Core.Mailboxes.IMailboxStore))!;
        var shortId = Core.Ids.OpaqueId.FromBytes(shortLived.ReceiveId);
        var longId = Core.Ids.OpaqueId.FromBytes(longLived.ReceiveId);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await store.PeekAsync(shortId, sent) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweeper did not delete the expired message");
            await Task.Delay(20);
        }

        Assert.NotNull(await store.PeekAsync(longId, sent));
    }

    [Fact]
    public async Task Requested_lifetime_above_the_maximum_is_lowered_to_it()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key, lifetimeSeconds: uint.MaxValue);
        Assert.Equal(30u * 24 * 3600, mailbox.LifetimeSeconds);
    }

    [Fact]
    public async Task Secured_mailbox_takes_only_sends_signed_by_its_sender_key()
    {
        await using var server = await RunningServer.StartAsync();
        await using var recipient = await server.ConnectAsync();
        await using var sender = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        using var senderKey = Ed25519KeyPair.Generate();
        using var stranger = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        await recipient.SecureMailboxAsync(mailbox.ReceiveId, key, senderKey.PublicKey);
        await recipient.SecureMailboxAsync(mailbox.ReceiveId, key, senderKey.PublicKey);

        var unsigned = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendAsync(mailbox.SendId, "x"u8.ToArray()));
        var wrong = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendAsync(mailbox.SendId, "x"u8.ToArray(), stranger));
        Assert.Equal(ErrorCode.Auth, unsigned.Code);
        Assert.Equal(ErrorCode.Auth, wrong.Code);
        await sender.SendAsync(mailbox.SendId, "signed"u8.ToArray(), senderKey);
        Assert.Equal("signed"u8.ToArray(), (await recipient.FetchAsync(mailbox.ReceiveId, key))!.Payload);

        var relock = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            recipient.SecureMailboxAsync(mailbox.ReceiveId, key, stranger.PublicKey));
        Assert.Equal(ErrorCode.AlreadySecured, relock.Code);
    }

    [Fact]
    public async Task Unknown_mailbox_and_wrong_key_get_the_same_error()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        using var other = Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key);

        var wrongKey = await Assert.ThrowsAsync<PurrProtocolException>(() => client.FetchAsync(mailbox.ReceiveId, other));
        var unknown = await Assert.ThrowsAsync<PurrProtocolException>(() => client.FetchAsync(SecureRandom.Bytes(16), key));
        var sendUnknown = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SendAsync(SecureRandom.Bytes(16), new byte[] { 1 }));
        Assert.Equal(ErrorCode.Auth, wrongKey.Code);
        Assert.Equal(wrongKey.Code, unknown.Code);
        Assert.Equal(wrongKey.Detail, unknown.Detail);
        Assert.Equal(ErrorCode.Auth, sendUnknown.Code);
    }

    [Fact]
    public async Task Deleted_mailbox_is_gone_for_recipient_and_sender()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key);
        await client.SendAsync(mailbox.SendId, new byte[] { 1 });
        await client.DeleteMailboxAsync(mailbox.ReceiveId, key);

        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.FetchAsync(mailbox.ReceiveId, key))).Code);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.SendAsync(mailbox.SendId, new byte[] { 2 }))).Code);
    }

    [Fact]
    public async Task One_connection_subscribes_to_many_mailboxes_and_a_newer_subscription_takes_over()
    {
        await using var server = await RunningServer.StartAsync();
        await using var first = await server.ConnectAsync();
        await using var second = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var a = await first.CreateMailboxAsync(key);
        var b = await first.CreateMailboxAsync(key);
        await first.SubscribeAsync(a.ReceiveId, key);
        await first.SubscribeAsync(b.ReceiveId, key);
        await second.SendAsync(b.SendId, "to-b"u8.ToArray());
        await second.SendAsync(a.SendId, "to-a"u8.ToArray());
        var got = new[] { await first.NextAsync<MessageReceived>(), await first.NextAsync<MessageReceived>() };
        Assert.Contains(got, m => m.ReceiveId.AsSpan().SequenceEqual(a.ReceiveId) && m.Payload.AsSpan().SequenceEqual("to-a"u8));
        Assert.Contains(got, m => m.ReceiveId.AsSpan().SequenceEqual(b.ReceiveId) && m.Payload.AsSpan().SequenceEqual("to-b"u8));

        await second.SubscribeAsync(a.ReceiveId, key);
        var ended = await first.NextAsync<Purr.Client.SubscriptionEnded>();
        Assert.Equal(a.ReceiveId, ended.ReceiveId);
        var redelivered = await second.NextAsync<MessageReceived>();
        Assert.Equal("to-a"u8.ToArray(), redelivered.Payload);
    }

    [Fact]
    public async Task Unacked_message_is_redelivered_on_the_next_connection()
    {
        await using var server = await RunningServer.StartAsync();
        using var key = Ed25519KeyPair.Generate();
        MailboxInfo mailbox;
        await using (var first = await server.ConnectAsync())
        {
            mailbox = await first.CreateMailboxAsync(key);
            await first.SubscribeAsync(mailbox.ReceiveId, key);
            await first.SendAsync(mailbox.SendId, "at-least-once"u8.ToArray());
            await first.NextAsync<MessageReceived>();
        }

        await using var second = await server.ConnectAsync();
        await second.SubscribeAsync(mailbox.ReceiveId, key);
        Assert.Equal("at-least-once"u8.ToArray(), (await second.NextAsync<MessageReceived>()).Payload);
    }
}
