using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Server.Routing;

namespace Purr.Server.Rooms;

/// <summary>
/// Exclusive access to one room: the one way any handler takes a room's lock. For a member request the
/// membership and the signature are checked under the lock; an unknown room, a non-member and a bad
/// signature are refused alike (the caller answers AUTH), at the cost of one signature check each.
/// </summary>
internal sealed class RoomLease : IAsyncDisposable
{
    private RoomLease(LiveRoom live, RoomState state, RoomMemberData? member)
    {
        Live = live;
        State = state;
        Member = member!;
    }

    public LiveRoom Live { get; }

    public RoomState State { get; }

    /// <summary>The authenticated member (not set by <see cref="AcquireRoomAsync"/>, which is for joining).</summary>
    public RoomMemberData Member { get; }

    /// <summary>
    /// The room under its lock, with no membership check (a join, whose checks ran before). Null when the room
    /// is gone, or was stopped or unloaded and reloaded since <paramref name="found"/> was looked up.
    /// </summary>
    public static async ValueTask<RoomLease?> AcquireRoomAsync(
        RoomRegistry registry, OpaqueId roomId, LiveRoom found, CancellationToken cancellationToken)
    {
        await found.Gate.WaitAsync(cancellationToken);
        var current = await registry.FindAsync(roomId, cancellationToken);
        if (current is null || current.Value.Live != found)
        {
            found.Gate.Release();
            return null;
        }

        return new RoomLease(found, current.Value.State, null);
    }

    public static async ValueTask<RoomLease?> AcquireAsync(
        RoomRegistry registry, ByteString roomId, ByteString memberKey, RequestContext context, CancellationToken cancellationToken)
    {
        var found = OpaqueId.TryFromBytes(roomId.Span, out var id) ? await registry.FindAsync(id, cancellationToken) : null;
        if (found is null)
        {
            _ = VerifySignature(null, context);
            return null;
        }

        var live = found.Value.Live;
        await live.Gate.WaitAsync(cancellationToken);
        var current = await registry.FindAsync(id, cancellationToken);
        var member = current?.State.Member(memberKey.Span);

        // The janitor may have unloaded the entry between the find and the lock: then this lock guards nothing.
        var stale = current is not null && current.Value.Live != live;
        if (current is null || stale || member is null | !VerifySignature(member?.MemberKey, context))
        {
            live.Gate.Release();
            return null;
        }

        return new RoomLease(live, current.Value.State, member!);
    }

    public static bool VerifySignature(byte[]? key, RequestContext context) => context.IsSignedBy(RequestSigner.Member, key);

    public ValueTask DisposeAsync()
    {
        Live.Gate.Release();
        return ValueTask.CompletedTask;
    }
}
