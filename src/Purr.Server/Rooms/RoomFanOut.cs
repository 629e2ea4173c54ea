using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Mailboxes;

namespace Purr.Server.Rooms;

/// <summary>
/// Delivers room events: to a transient room's connected members directly (nothing stored; through
/// <see cref="RoomEvents"/>, so members on other processes get them too), and into each persistent-room member's
/// mailbox (stored within its lifetime and quota, pushed if the member is subscribed anywhere, caught up later if not).
/// </summary>
internal sealed class RoomFanOut(IMailboxDelivery mailboxes, RoomEvents events)
{
    /// <param name="recipients">Members to deliver to; the caller has already applied whisper targets and exclusions.</param>
    public async ValueTask PublishAsync(RoomState room, LiveRoom live, RoomEvent roomEvent, IEnumerable<RoomMemberData> recipients)
    {
        roomEvent.RoomId = ByteString.CopyFrom(room.RoomId.ToBytes());
        if (!room.Persistent)
        {
            var frame = new ServerFrame { RoomEvent = roomEvent }.ToByteArray();
            var to = recipients as IReadOnlyCollection<RoomMemberData> ?? [.. recipients];

            // To most of the room (a message to everyone but its sender): name the few left out instead.
            var message = to.Count * 2 > room.Members.Count
                ? RoomRelayMessage.PushToAllBut(room.RoomId, frame, [.. room.Members.Except(to).Select(m => m.MemberKey)])
                : RoomRelayMessage.Push(room.RoomId, frame, [.. to.Select(m => m.MemberKey)]);
            await events.PublishAsync(room.RoomId, live, message);
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

    /// <summary>
    /// Control events (kicked, stopped) go straight to the connections, whatever the kind; then the
    /// <paramref name="detach"/> members' connections hear nothing more, and when <paramref name="ended"/> the room is gone.
    /// </summary>
    public ValueTask PushToConnectionsAsync(
        OpaqueId roomId, LiveRoom live, RoomEvent roomEvent, IEnumerable<byte[]> memberKeys, IReadOnlyList<byte[]> detach, bool ended = false)
    {
        var frame = new ServerFrame { RoomEvent = roomEvent }.ToByteArray();
        return events.PublishAsync(roomId, live, new RoomRelayMessage(roomId, frame, [.. memberKeys], detach, ended));
    }

    public async ValueTask DeleteMailboxAsync(RoomMemberData member)
    {
        if (member.MailboxReceiveId is { } id && OpaqueId.TryFromBytes(id, out var receiveId))
        {
            await mailboxes.DeleteAsync(receiveId);
        }
    }
}
