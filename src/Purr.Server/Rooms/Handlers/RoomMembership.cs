using Google.Protobuf;
using Purr.Core.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Rooms.Handlers;

/// <summary>The one way a member leaves a room, by kick or by choice.</summary>
internal static class RoomMembership
{
    /// <summary>False, changing nothing, when another process changed the room first (the caller retries).</summary>
    public static async ValueTask<bool> TryRemoveAsync(
        RoomRegistry registry, RoomFanOut fanOut, RoomLease lease, RoomMemberData member, RoomMemberData? kickedBy, CancellationToken cancellationToken)
    {
        var gone = new RoomEvent
        {
            RoomId = ByteString.CopyFrom(lease.RoomId.ToBytes()),
            Left = new RoomMemberGone
            {
                MemberKey = ByteString.CopyFrom(member.MemberKey),
                Kicked = kickedBy is not null,
                By = kickedBy is null ? ByteString.Empty : ByteString.CopyFrom(kickedBy.MemberKey),
            },
        };

        lease.State.Members.Remove(member);
        var last = lease.State.Members.Count == 0;
        if (last)
        {
            await registry.ForgetAsync(lease.State, cancellationToken);
        }
        else if (!await lease.CommitAsync(cancellationToken))
        {
            return false;
        }

        // The removed member's connections, wherever they are, get this last event, then nothing more.
        await fanOut.PushToConnectionsAsync(lease.RoomId, lease.Live, gone, [member.MemberKey], [member.MemberKey], ended: last);
        await fanOut.DeleteMailboxAsync(member);
        if (!last)
        {
            await fanOut.PublishAsync(lease.State, lease.Live, gone, lease.State.Members);
        }

        return true;
    }
}
