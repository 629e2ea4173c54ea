using Purr.Core.Rooms;
using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>
/// A room's in-memory side: which connections each member has subscribed, and, for a transient room,
/// the whole state (it is never stored). All changes happen under <see cref="Gate"/>.
/// </summary>
internal sealed class LiveRoom(RoomState? transientState, DateTimeOffset? emptySince)
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public RoomState? TransientState { get; set; } = transientState;

    public List<(byte[] MemberKey, IClientSession Session)> Connections { get; } = [];

    /// <summary>When the last connection left (or the room was made with none); null while someone is connected.</summary>
    public DateTimeOffset? EmptySince { get; set; } = emptySince;

    public IEnumerable<IClientSession> SessionsOf(byte[] memberKey) =>
        Connections.Where(c => c.MemberKey.AsSpan().SequenceEqual(memberKey)).Select(c => c.Session);

    public void Attach(byte[] memberKey, IClientSession session)
    {
        if (!SessionsOf(memberKey).Contains(session))
        {
            Connections.Add((memberKey, session));
        }

        EmptySince = null;
    }

    public void Detach(Func<(byte[] MemberKey, IClientSession Session), bool> which, DateTimeOffset now)
    {
        Connections.RemoveAll(c => which(c));
        if (Connections.Count == 0)
        {
            EmptySince ??= now;
        }
    }
}
