using Google.Protobuf;
using Purr.Core.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Rooms.Handlers;

/// <summary>The one way a member leaves a room, by kick or by choice.</summary>
internal static class RoomMembership
{
    public static async ValueTask RemoveAsync(
        RoomRegistry registry, RoomFanOut fanOut, RoomLease lease, RoomMemberData member, RoomMemberData? kickedBy, CancellationToken cancellationToken)
    {
        var gone = new RoomEvent
        {
            RoomId = ByteString.CopyFrom(lease.State.RoomId.ToBytes()),
            Left = new RoomMemberGone
            {
                MemberKey = ByteString.CopyFrom(member.MemberKey),
                Kicked = kickedBy is not null,
                By = kickedBy is null ? ByteString.Empty : ByteString.CopyFrom(kickedBy.MemberKey),
            },
        };

        // The removed member's connections get this last event, then nothing more.
        RoomFanOut.PushToConnections(lease.Live, gone, [member.MemberKey]);
        lease.Live.DetachMember(member.MemberKey, DateTimeOffset.UtcNow);
        lease.State.Members.Remove(member);
        await fanOut.DeleteMailboxAsync(member);

        if (lease.State.Members.Count == 0)
        {
            await registry.ForgetAsync(lease.State, cancellationToken);
            return;
        }

        await registry.SaveAsync(lease.State, cancellationToken);
        await fanOut.PublishAsync(lease.State, lease.Live, gone, lease.State.Members);
    }
}
