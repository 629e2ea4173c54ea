using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;

namespace Purr.Server.Rooms;

/// <summary>
/// Delivers room events with the mailbox machinery: to a transient room's connected members directly
/// (nothing stored), and into each persistent-room member's mailbox (stored within its lifetime and
/// quota, pushed if the member is subscribed, caught up later if not).
/// </summary>
internal sealed class RoomFanOut(IMailboxStore mailboxes, MailboxDelivery delivery, TimeProvider time)
{
    /// <param name="recipients">Members to deliver to; the caller has already applied whisper targets and exclusions.</param>
    public async ValueTask PublishAsync(RoomState room, LiveRoom live, RoomEvent roomEvent, IEnumerable<RoomMemberData> recipients)
    {
        roomEvent.RoomId = ByteString.CopyFrom(room.RoomId.ToBytes());
        if (!room.Persistent)
        {
            var frame = new ServerFrame { RoomEvent = roomEvent }.ToByteArray();
            foreach (var member in recipients)
            {
                foreach (var session in live.SessionsOf(member.MemberKey))
                {
                    if (!session.TryPushEncoded(frame))
                    {
                        session.Abort();
                    }
                }
            }

            return;
        }

        var payload = roomEvent.ToByteArray();
        var now = time.GetUtcNow();
        foreach (var member in recipients)
        {
            if (member.MailboxReceiveId is null || !OpaqueId.TryFromBytes(member.MailboxReceiveId, out var receiveId))
            {
                continue;
            }

            var mailbox = await mailboxes.FindByReceiveIdAsync(receiveId);
            if (mailbox is null)
            {
                continue;
            }

            // A member whose mailbox is full misses this event; nothing of anyone else's is affected.
            var message = MailboxMessages.Create(payload, now, mailbox.LifetimeSeconds);
            if (await mailboxes.EnqueueAsync(receiveId, message, mailbox.Quota, now) == EnqueueResult.Stored)
            {
                await delivery.DeliverHeadAsync(receiveId);
            }
        }
    }

    /// <summary>Control events (kicked, stopped) also go straight to the connections, whatever the kind.</summary>
    public static void PushToConnections(LiveRoom live, RoomEvent roomEvent, IEnumerable<byte[]> memberKeys)
    {
        var frame = new ServerFrame { RoomEvent = roomEvent };
        foreach (var key in memberKeys)
        {
            foreach (var session in live.SessionsOf(key))
            {
                session.TryPush(frame);
            }
        }
    }

    public async ValueTask DeleteMailboxAsync(RoomMemberData member)
    {
        if (member.MailboxReceiveId is { } id && OpaqueId.TryFromBytes(id, out var receiveId))
        {
            await mailboxes.DeleteMailboxAsync(receiveId);
            delivery.MailboxDeleted(receiveId);
        }
    }
}
