using System.Net;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;
using Purr.Server.Sessions;
using Purr.Storage.Memory;
using StoredMessage = Purr.Core.Mailboxes.StoredMessage;

namespace Purr.Server.Tests.Mailboxes;

/// <summary>
/// Interleavings a shared database allows that one SQLite writer never does, replayed step by step against the
/// live delivery: no stored message may be left waiting for the next subscribe.
/// </summary>
public sealed class LiveDeliveryRaceTests : IAsyncDisposable
{
    private readonly MemoryMailboxStore store = new();
    private readonly OpaqueId receiveId = OpaqueId.NewRandom();
    private readonly RecordingSession subscriber = new();
    private readonly LiveDelivery live;

    public LiveDeliveryRaceTests()
    {
        live = new LiveDelivery(store, TimeProvider.System);
    }

    [Fact]
    public async Task A_message_stored_behind_the_one_in_flight_while_its_ack_read_an_empty_mailbox_is_still_pushed()
    {
        var first = await SubscribedWithOneMessageInFlightAsync();

        // The send stores B behind A: the store reports no new head, so the send's signal changes nothing now.
        var before = live.Ticket(receiveId);
        var second = Message();
        Assert.Equal(EnqueueResult.Stored, await store.EnqueueAsync(receiveId, second, 10, DateTimeOffset.UtcNow));
        await live.MessageStoredAsync(receiveId, null, before);
        Assert.Single(subscriber.Pushed);

        // The ack of A ran its "delete A, read the next" before B was committed: it saw no next message.
        await store.DeleteMessageAsync(receiveId, first.Id);
        await live.AcknowledgedAsync(receiveId, first.Id, next: null);

        Assert.Equal([first.Id, second.Id], subscriber.Pushed);
    }

    [Fact]
    public async Task An_ack_that_finds_the_mailbox_empty_costs_no_extra_read_when_nothing_was_stored_behind()
    {
        var first = await SubscribedWithOneMessageInFlightAsync();
        await store.DeleteMessageAsync(receiveId, first.Id);

        // Put one behind the store's back (as a send that has not signalled yet would): the ack must not go looking.
        await store.EnqueueAsync(receiveId, Message(), 10, DateTimeOffset.UtcNow);
        await live.AcknowledgedAsync(receiveId, first.Id, next: null);
        Assert.Equal([first.Id], subscriber.Pushed);
    }

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private async Task<StoredMessage> SubscribedWithOneMessageInFlightAsync()
    {
        await store.CreateMailboxAsync(new MailboxRecord(receiveId, OpaqueId.NewRandom(), new byte[32], null, 3600, 10));
        Assert.Equal(SubscribeOutcome.Subscribed, live.Subscribe(receiveId, subscriber, 10));
        var first = Message();
        await store.EnqueueAsync(receiveId, first, 10, DateTimeOffset.UtcNow);
        await live.DeliverHeadAsync(receiveId);
        Assert.Equal([first.Id], subscriber.Pushed);
        return first;
    }

    private static StoredMessage Message() =>
        new(OpaqueId.NewRandom(), [1, 2, 3], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));

    private sealed class RecordingSession : IClientSession
    {
        public List<OpaqueId> Pushed { get; } = [];

        public ReadOnlyMemory<byte> SessionNonce { get; } = new byte[32];

        public IPAddress RemoteAddress => IPAddress.Loopback;

        public SessionFeatures Features { get; } = new();

        public bool TryPush(ServerFrame frame)
        {
            Pushed.Add(OpaqueId.FromBytes(frame.MessageEvent.Message.MessageId.Span));
            return true;
        }

        public bool TryPushEncoded(ReadOnlyMemory<byte> frame) => TryPush(ServerFrame.Parser.ParseFrom(frame.Span));

        public void Abort()
        {
        }
    }
}
