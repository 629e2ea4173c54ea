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
public sealed class LiveDelivery(IMailboxStore store, TimeProvider time) : ISessionObserver
{
    private readonly ConcurrentDictionary<OpaqueId, Subscription> subscriptions = new();

    public SubscribeOutcome Subscribe(OpaqueId receiveId, IClientSession session, int maxPerSession)
    {
        var held = HeldBy(session);
        lock (held)
        {
            if (!held.Contains(receiveId) && held.Count >= maxPerSession)
            {
                return SubscribeOutcome.TooMany;
            }

            held.Add(receiveId);
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
            var replacedHeld = HeldBy(replaced.Session);
            lock (replacedHeld)
            {
                replacedHeld.Remove(receiveId);
            }

            replaced.Session.TryPush(new ServerFrame
            {
                SubscriptionEnded = new SubscriptionEnded { ReceiveId = ByteString.CopyFrom(receiveId.ToBytes()) },
            });
        }

        return SubscribeOutcome.Subscribed;
    }

    /// <summary>
    /// The connection table as far as mailboxes go: for each connection holding subscriptions, the mailboxes it holds.
    /// For tests of transport isolation (what a server can link); nothing reads it otherwise.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<OpaqueId>> SubscriptionsByConnection() =>
        [.. subscriptions.GroupBy(s => s.Value.Session).Select(g => (IReadOnlyList<OpaqueId>)[.. g.Select(s => s.Key)])];

    /// <summary>True when <paramref name="session"/> holds the mailbox's current subscription.</summary>
    public bool HoldsSubscription(OpaqueId receiveId, IClientSession session) =>
        subscriptions.TryGetValue(receiveId, out var current) && current.Session == session;

    public void Unsubscribe(OpaqueId receiveId, IClientSession session)
    {
        var held = HeldBy(session);
        lock (held)
        {
            held.Remove(receiveId);
        }

        if (subscriptions.TryGetValue(receiveId, out var current) && current.Session == session)
        {
            subscriptions.TryRemove(new KeyValuePair<OpaqueId, Subscription>(receiveId, current));
        }
    }

    /// <summary>
    /// A connection of another process subscribed to the mailbox: this process's subscriber, if any, is told its
    /// subscription ended, as when a newer subscription replaces it here.
    /// </summary>
    public void SubscriptionMovedAway(OpaqueId receiveId)
    {
        if (!subscriptions.TryRemove(receiveId, out var removed))
        {
            return;
        }

        var held = HeldBy(removed.Session);
        lock (held)
        {
            held.Remove(receiveId);
        }

        removed.Session.TryPush(new ServerFrame
        {
            SubscriptionEnded = new SubscriptionEnded { ReceiveId = ByteString.CopyFrom(receiveId.ToBytes()) },
        });
    }

    /// <summary>
    /// Every subscriber with nothing in flight gets its mailbox's head, if there is one: after signals may have
    /// been lost (the backplane came back), so nothing stored waits for the next subscribe.
    /// </summary>
    public async ValueTask RefreshIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var (receiveId, subscription) in subscriptions)
        {
            if (subscription.InFlight is null)
            {
                await MessageStoredAsync(receiveId, null, default, cancellationToken);
            }
        }
    }

    /// <summary>The mailbox is gone: forget its subscriber without telling it (the recipient asked for this).</summary>
    public void MailboxDeleted(OpaqueId receiveId)
    {
        if (subscriptions.TryRemove(receiveId, out var removed))
        {
            var held = HeldBy(removed.Session);
            lock (held)
            {
                held.Remove(receiveId);
            }
        }
    }

    public void SessionClosed(IClientSession session)
    {
        if (session.Features.Get<SessionSubscriptions>() is not { } subscribed)
        {
            return;
        }

        OpaqueId[] held;
        lock (subscribed)
        {
            held = [.. subscribed];
            subscribed.Clear();
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
    /// Called after a subscribe and a sweep: one store read.
    /// </summary>
    public ValueTask DeliverHeadAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            receiveId,
            (store, time, receiveId, cancellationToken),
            static async (_, s) => (true, await s.store.PeekAsync(s.receiveId, s.time.GetUtcNow(), s.cancellationToken)),
            cancellationToken);

    /// <summary>
    /// A message was stored. <paramref name="newHead"/> is that message when it became the head (the store said so
    /// atomically), and is then pushed without reading it back; a message stored behind others waits for the ack
    /// of the one in flight, and only an idle subscriber makes this read the store.
    /// </summary>
    /// <param name="before">Taken before the store write: the hint is trusted only if nothing was pushed or acknowledged since.</param>
    public ValueTask MessageStoredAsync(
        OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            receiveId,
            (store, time, receiveId, newHead, before, cancellationToken),
            static async (subscription, s) =>
            {
                if (s.newHead is not null && s.before.Subscription == subscription && s.before.Version == subscription.Version)
                {
                    return (true, s.newHead);
                }

                if (subscription.InFlight is null)
                {
                    return (true, await s.store.PeekAsync(s.receiveId, s.time.GetUtcNow(), s.cancellationToken));
                }

                // Behind the one in flight: its ack brings it. Remembered, because on a shared database the ack's read of
                // the next message may have run before this message was committed (see AcknowledgedAsync).
                subscription.StoredBehind = true;
                return (false, null);
            },
            cancellationToken);

    /// <summary>
    /// The state of the mailbox's subscription before a store write, so that <see cref="MessageStoredAsync"/> can tell
    /// whether a head reported by the store may have been pushed (or even acknowledged) meanwhile.
    /// </summary>
    public DeliveryTicket Ticket(OpaqueId receiveId) =>
        subscriptions.TryGetValue(receiveId, out var subscription) ? new DeliveryTicket(subscription, Volatile.Read(ref subscription.Version)) : default;

    /// <summary>
    /// <paramref name="acked"/> was acknowledged; <paramref name="next"/> (from the same store step) goes out at once.
    /// An empty mailbox leaves a newer push (a message stored meanwhile) in flight.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL a send and an ack run side by side: the send may store its message behind the one in flight
    /// (so it reports no new head) while the ack's read of the next message runs before that send commits (so it
    /// reports none). When a message was reported stored behind since the last push, an empty answer is checked
    /// with one more read, or that message would wait for the next subscribe.
    /// </remarks>
    public ValueTask AcknowledgedAsync(OpaqueId receiveId, OpaqueId acked, StoredMessage? next, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            receiveId,
            (store, time, receiveId, acked, next, cancellationToken),
            static async (subscription, s) =>
            {
                if (s.next is null && subscription.InFlight is { } inFlight && inFlight != s.acked)
                {
                    return (false, null);
                }

                return s.next is null && subscription.StoredBehind
                    ? (true, await s.store.PeekAsync(s.receiveId, s.time.GetUtcNow(), s.cancellationToken))
                    : (true, s.next);
            },
            cancellationToken);

    /// <summary>
    /// Under the subscription's gate, asks <paramref name="head"/> for the mailbox's current head (or for no change),
    /// and pushes it unless it is already in flight. One message in flight per mailbox keeps delivery in order.
    /// </summary>
    /// <remarks>
    /// The callers pass static lambdas and their arguments as <paramref name="state"/>: a closure and a delegate for
    /// every push and every ack were about a twentieth of what a delivered message allocated.
    /// </remarks>
    private async ValueTask UpdateAsync<TState>(
        OpaqueId receiveId, TState state, Func<Subscription, TState, ValueTask<(bool Changed, StoredMessage? Head)>> head, CancellationToken cancellationToken)
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

            var (changed, message) = await head(subscription, state);
            if (!changed)
            {
                return;
            }

            Interlocked.Increment(ref subscription.Version);

            // The head was just read from the store (or reported by it): anything stored behind before is covered.
            subscription.StoredBehind = false;

            if (message is null || message.Id == subscription.InFlight)
            {
                subscription.InFlight = message?.Id;
                return;
            }

            subscription.InFlight = message.Id;
            if (!subscription.Session.TryPush(MessageEvent(receiveId, message, live: false)))
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

    /// <summary>The mailboxes one connection holds (receive ids): this module's own state on the session.</summary>
    private static SessionSubscriptions HeldBy(IClientSession session) => session.Features.GetOrAdd(() => new SessionSubscriptions());

    private sealed class SessionSubscriptions : HashSet<OpaqueId>;

    internal sealed class Subscription(IClientSession session)
    {
        /// <summary>Counts pushes and acknowledgements (under the gate), for <see cref="DeliveryTicket"/>.</summary>
        public long Version;

        public IClientSession Session { get; } = session;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public OpaqueId? InFlight { get; set; }

        /// <summary>A message was reported stored behind the one in flight since the head was last read (under the gate).</summary>
        public bool StoredBehind { get; set; }
    }
}

/// <summary>A subscription and its version at one moment (default: no subscription).</summary>
public readonly record struct DeliveryTicket(object? Subscription, long Version);

public enum SubscribeOutcome
{
    Subscribed,
    TooMany,
}
