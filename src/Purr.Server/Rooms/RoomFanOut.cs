using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;

namespace Purr.Server.Rooms;

/// <summary>
/// Delivers room events with the mailbox machinery: to a transient room's connected members directly
/// (nothing stored), and into each persistent-room member's mailbox (stored within its lifetime and
/// quota, pushed if the member is subscribed, caught up later if not).
/// </summary>
internal sealed class RoomFanOut(IMailboxDelivery mailboxes)
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
        foreach (var member in recipients)
        {
            // A member whose mailbox is full or gone misses this event; nothing of anyone else's is affected.
            if (member.MailboxReceiveId is not null && OpaqueId.TryFromBytes(member.MailboxReceiveId, out var receiveId))
            {
                await mailboxes.DeliverAsync(receiveId, payload);
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
            await mailboxes.DeleteAsync(receiveId);
        }
    }
}
