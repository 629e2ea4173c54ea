using Purr.Core.Mailboxes;

namespace Purr.Server.Mailboxes;

/// <summary>
/// The one step that puts a message into a mailbox, for a sender's SendMessage and for other modules alike:
/// store it within the mailbox's lifetime and quota (or, for a live-only mailbox, fix the subscriber it goes
/// to), and hand back the push that tells the subscriber. The caller runs the push when its ordering allows
/// (the send handler after its answer, so a sender that is also the subscriber sees the answer first).
/// </summary>
internal sealed class MailboxIntake(IMailboxStore store, LiveDelivery live, IMailboxSignal signal, TimeProvider time, Metrics.ServerMetrics metrics)
{
    /// <param name="payload">Becomes the stored message's: the caller must not change it afterwards.</param>
    public async ValueTask<Accepted> AcceptAsync(MailboxRecord mailbox, byte[] payload, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var message = MailboxMessages.Create(payload, now, mailbox.LifetimeSeconds);
        var receiveId = mailbox.ReceiveId;
        if (mailbox.IsLiveOnly)
        {
            // Who is subscribed is decided now, when the message is accepted: one who subscribes between this
            // and the push must not get a message that was sent before it came.
            var subscriber = live.SubscriberOf(receiveId);
            metrics.Delivered(live: true);
            return new Accepted(EnqueueResult.Stored, message, subscriber is null
                ? () => signal.LiveMessageAsync(receiveId, message, CancellationToken.None)
                : () =>
                {
                    live.DeliverLive(receiveId, subscriber, message);
                    return ValueTask.CompletedTask;
                });
        }

        var before = signal.Before(receiveId);
        var result = await store.EnqueueAsync(receiveId, message, mailbox.Quota, now, cancellationToken);
        if (!result.IsStored())
        {
            return new Accepted(result, message, null);
        }

        metrics.Delivered(live: false);
        var newHead = result == EnqueueResult.StoredAsHead ? message : null;
        return new Accepted(result, message, () => signal.MessageStoredAsync(receiveId, newHead, before, CancellationToken.None));
    }

    /// <param name="Push">Tells the subscriber, if there is anything to tell.</param>
    public readonly record struct Accepted(EnqueueResult Result, StoredMessage Message, Func<ValueTask>? Push);
}
