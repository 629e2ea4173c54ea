using System.Collections.Concurrent;
using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Sessions;
using StoredMessage = Purr.Core.Mailboxes.StoredMessage;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Live delivery to subscribed connections. Each mailbox has at most one subscriber (a newer
/// subscription ends the older one, as in SimpleX), and at most one message in flight to it: the head
/// of the mailbox, pushed again only when the head changes (after an ack or an expiry). That gives
/// in-order, at-least-once delivery with nothing per message held in memory.
/// </summary>
public sealed class MailboxDelivery(IMailboxStore store, TimeProvider time) : ISessionObserver
{
    private readonly ConcurrentDictionary<OpaqueId, Subscription> subscriptions = new();

    public SubscribeOutcome Subscribe(OpaqueId receiveId, IClientSession session, int maxPerSession)
    {
        lock (session.Subscriptions)
        {
            if (!session.Subscriptions.Contains(receiveId) && session.Subscriptions.Count >= maxPerSession)
            {
                return SubscribeOutcome.TooMany;
            }

            session.Subscriptions.Add(receiveId);
        }

        var subscription = new Subscription(session);
        Subscription? replaced = null;
        subscriptions.AddOrUpdate(receiveId, subscription, (_, old) =>
        {
            replaced = old;
            return subscription;
        });
        if (replaced is not null && replaced.Session != session)
        {
            lock (replaced.Session.Subscriptions)
            {
                replaced.Session.Subscriptions.Remove(receiveId);
            }

            replaced.Session.TryPush(new ServerFrame
            {
                SubscriptionEnded = new SubscriptionEnded { ReceiveId = ByteString.CopyFrom(receiveId.ToBytes()) },
            });
        }

        return SubscribeOutcome.Subscribed;
    }

    /// <summary>True when <paramref name="session"/> holds the mailbox's current subscription.</summary>
    public bool HoldsSubscription(OpaqueId receiveId, IClientSession session) =>
        subscriptions.TryGetValue(receiveId, out var current) && current.Session == session;

    public void Unsubscribe(OpaqueId receiveId, IClientSession session)
    {
        lock (session.Subscriptions)
        {
            session.Subscriptions.Remove(receiveId);
        }

        if (subscriptions.TryGetValue(receiveId, out var current) && current.Session == session)
        {
            subscriptions.TryRemove(new KeyValuePair<OpaqueId, Subscription>(receiveId, current));
        }
    }

    /// <summary>The mailbox is gone: forget its subscriber without telling it (the recipient asked for this).</summary>
    public void MailboxDeleted(OpaqueId receiveId)
    {
        if (subscriptions.TryRemove(receiveId, out var removed))
        {
            lock (removed.Session.Subscriptions)
            {
                removed.Session.Subscriptions.Remove(receiveId);
            }
        }
    }

    public void SessionClosed(IClientSession session)
    {
        OpaqueId[] held;
        lock (session.Subscriptions)
        {
            held = [.. session.Subscriptions];
            session.Subscriptions.Clear();
        }

        foreach (var receiveId in held)
        {
            if (subscriptions.TryGetValue(receiveId, out var current) && current.Session == session)
            {
                subscriptions.TryRemove(new KeyValuePair<OpaqueId, Subscription>(receiveId, current));
            }
        }
    }

    /// <summary>
    /// Pushes the mailbox's head message to its subscriber unless that exact message is already in flight.
    /// Called after a subscribe, a store, an ack, and a sweep.
    /// </summary>
    public async ValueTask DeliverHeadAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        if (!subscriptions.TryGetValue(receiveId, out var subscription))
        {
            return;
        }

        await subscription.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!subscriptions.TryGetValue(receiveId, out var current) || current != subscription)
            {
                return;
            }

            var head = await store.PeekAsync(receiveId, time.GetUtcNow(), cancellationToken);
            if (head is null || head.Id == subscription.InFlight)
            {
                subscription.InFlight = head?.Id;
                return;
            }

            subscription.InFlight = head.Id;
            if (!subscription.Session.TryPush(MessageEvent(receiveId, head, live: false)))
            {
                // The client is not reading; the message stays stored and is redelivered on its next subscribe.
                subscription.Session.Abort();
            }
        }
        finally
        {
            subscription.Gate.Release();
        }
    }

    /// <summary>The connection subscribed to the mailbox now, if any: a live-only message goes to it or nowhere.</summary>
    public IClientSession? SubscriberOf(OpaqueId receiveId) =>
        subscriptions.TryGetValue(receiveId, out var subscription) ? subscription.Session : null;

    /// <summary>
    /// A live-only message: pushed to <paramref name="subscriber"/> (who was subscribed when the message was
    /// accepted) if it still holds the subscription, else gone. Never stored, and never handed to a subscriber
    /// who arrived after the message.
    /// </summary>
    public bool DeliverLive(OpaqueId receiveId, IClientSession subscriber, StoredMessage message) =>
        subscriptions.TryGetValue(receiveId, out var subscription)
        && subscription.Session == subscriber
        && subscription.Session.TryPush(MessageEvent(receiveId, message, live: true));

    /// <summary>After expired messages were deleted: subscribers whose in-flight message expired get the next one.</summary>
    public async ValueTask RefreshInFlightAsync(CancellationToken cancellationToken)
    {
        foreach (var (receiveId, subscription) in subscriptions)
        {
            if (subscription.InFlight is not null)
            {
                await DeliverHeadAsync(receiveId, cancellationToken);
            }
        }
    }

    internal static ServerFrame MessageEvent(OpaqueId receiveId, StoredMessage message, bool live) => new()
    {
        MessageEvent = new MessageEvent
        {
            ReceiveId = ByteString.CopyFrom(receiveId.ToBytes()),
            Message = MailboxMessages.ToWire(message),
            Live = live,
        },
    };

    private sealed class Subscription(IClientSession session)
    {
        public IClientSession Session { get; } = session;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public OpaqueId? InFlight { get; set; }
    }
}

public enum SubscribeOutcome
{
    Subscribed,
    TooMany,
}
