using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Server.Routing;

namespace Purr.Server.Rooms;

/// <summary>
/// Exclusive access to one room in this process, with its state read under the lock: the one way any handler
/// takes a room. For a member request the membership and the signature are checked under the lock; an unknown
/// room, a non-member and a bad signature are refused alike (the caller answers AUTH), at the cost of one
/// signature check each. Other processes may change the room meanwhile: <see cref="CommitAsync"/> says so.
/// </summary>
internal sealed class RoomLease : IAsyncDisposable
{
    /// <summary>Lookups retried when the janitor unloads the entry between the lookup and the lock.</summary>
    private const int StaleEntryRetries = 3;

    private readonly RoomRegistry registry;

    private RoomLease(RoomRegistry registry, LiveRoom live, RoomState state, RoomMemberData? member)
    {
        this.registry = registry;
        Live = live;
        State = state;
        Member = member!;
    }

    public LiveRoom Live { get; }

    public RoomState State { get; }

    public OpaqueId RoomId => State.RoomId;

    /// <summary>The authenticated member (not set by <see cref="AcquireRoomAsync"/>, which is for joining).</summary>
    public RoomMemberData Member { get; }

    /// <summary>The room under its lock, with no membership check (a join, whose checks ran before). Null when the room is gone.</summary>
    public static async ValueTask<RoomLease?> AcquireRoomAsync(RoomRegistry registry, OpaqueId roomId, CancellationToken cancellationToken) =>
        await LockAsync(registry, roomId, cancellationToken) is var (live, state) ? new RoomLease(registry, live, state, null) : null;

    public static async ValueTask<RoomLease?> AcquireAsync(
        RoomRegistry registry, ByteString roomId, ByteString memberKey, RequestContext context, CancellationToken cancellationToken)
    {
        var locked = OpaqueId.TryFromBytes(roomId.Span, out var id) ? await LockAsync(registry, id, cancellationToken) : null;
        var member = locked?.State.Member(memberKey.Span);
        if (member is null | !VerifySignature(member?.MemberKey, context))
        {
            locked?.Live.Gate.Release();
            return null;
        }

        return new RoomLease(registry, locked!.Value.Live, locked.Value.State, member!);
    }

    public static bool VerifySignature(byte[]? key, RequestContext context) => context.IsSignedBy(RequestSigner.Member, key);

    /// <summary>Saves the changed <see cref="State"/>; false when another process changed the room since it was read.</summary>
    public ValueTask<bool> CommitAsync(CancellationToken cancellationToken) => registry.TryUpdateAsync(State, cancellationToken);

    public ValueTask DisposeAsync()
    {
        Live.Gate.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>This process's entry for the room, locked, and the room's state read under the lock; null when the room is gone.</summary>
    private static async ValueTask<(LiveRoom Live, RoomState State)?> LockAsync(RoomRegistry registry, OpaqueId id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= StaleEntryRetries; attempt++)
        {
            var live = registry.Entry(id) ?? (await registry.FindAsync(id, cancellationToken))?.Live;
            if (live is null)
            {
                return null;
            }

            await live.Gate.WaitAsync(cancellationToken);

            // The janitor may have unloaded the entry between the lookup and the lock: then this lock guards nothing.
            if (!registry.IsCurrent(id, live))
            {
                live.Gate.Release();
                continue;
            }

            RoomState? state;
            try
            {
                state = await registry.ReadAsync(id, live, cancellationToken);
            }
            catch
            {
                live.Gate.Release();
                throw;
            }

            if (state is null)
            {
                live.Gate.Release();
                return null;
            }

            return (live, state);
        }

        return null;
    }
}
