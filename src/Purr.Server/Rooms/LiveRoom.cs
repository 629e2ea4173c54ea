using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>
/// A room's side in this process: which of this process's connections each member has subscribed (indexed by
/// member key, so fan-out to N members costs N lookups). The room's state is in its store (<see cref="RoomRegistry"/>).
/// <see cref="Gate"/> serialises this process's requests on the room; between processes the stores' versions do.
/// </summary>
internal sealed class LiveRoom(bool persistent, DateTimeOffset? emptySince)
{
    private readonly Dictionary<string, List<IClientSession>> byMember = [];

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public bool Persistent { get; } = persistent;

    public int ConnectionCount { get; private set; }

    /// <summary>Runs when the set of members connected here changes (a member's first connection came or its last went).</summary>
    public Action? MembersChanged { get; set; }

    /// <summary>Runs when a transient room ends (set by its creation; idempotent).</summary>
    public Action? OnEnd { get; init; }

    /// <summary>When the last connection left (or the room was made with none); null while someone is connected.</summary>
    public DateTimeOffset? EmptySince { get; set; } = emptySince;

    public IReadOnlyList<IClientSession> SessionsOf(byte[] memberKey) =>
        byMember.TryGetValue(Convert.ToHexString(memberKey), out var sessions) ? sessions : [];

    /// <summary>The members with connections here.</summary>
    public IReadOnlyList<byte[]> MemberKeys() => [.. byMember.Keys.Select(Convert.FromHexString)];

    /// <summary>The members with connections here, but those in <paramref name="excluded"/>.</summary>
    public IReadOnlyList<byte[]> MemberKeysExcept(IReadOnlyList<byte[]> excluded)
    {
        var left = excluded.Select(Convert.ToHexString).ToHashSet();
        return [.. byMember.Keys.Where(k => !left.Contains(k)).Select(Convert.FromHexString)];
    }

    public void Attach(byte[] memberKey, IClientSession session)
    {
        var key = Convert.ToHexString(memberKey);
        var arrived = false;
        if (!byMember.TryGetValue(key, out var sessions))
        {
            byMember[key] = sessions = [];
            arrived = true;
        }

        if (!sessions.Contains(session))
        {
            sessions.Add(session);
            ConnectionCount++;
            session.Features.GetOrAdd(() => new AttachedRooms()).Add(this);
        }

        EmptySince = null;
        if (arrived)
        {
            MembersChanged?.Invoke();
        }
    }

    public void DetachMember(byte[] memberKey, DateTimeOffset now)
    {
        var gone = byMember.Remove(Convert.ToHexString(memberKey), out var sessions);
        if (gone)
        {
            ConnectionCount -= sessions!.Count;
        }

        MarkIfEmpty(now);
        if (gone)
        {
            MembersChanged?.Invoke();
        }
    }

    public void DetachSession(IClientSession session, DateTimeOffset now)
    {
        var gone = false;
        foreach (var (key, sessions) in byMember.ToList())
        {
            if (sessions.Remove(session))
            {
                ConnectionCount--;
                if (sessions.Count == 0)
                {
                    byMember.Remove(key);
                    gone = true;
                }
            }
        }

        MarkIfEmpty(now);
        if (gone)
        {
            MembersChanged?.Invoke();
        }
    }

    public void DetachAll(DateTimeOffset now)
    {
        byMember.Clear();
        ConnectionCount = 0;
        MarkIfEmpty(now);
    }

    private void MarkIfEmpty(DateTimeOffset now)
    {
        if (ConnectionCount == 0)
        {
            EmptySince ??= now;
        }
    }
}

/// <summary>The rooms a connection is attached to (its feature), so closing it visits those rooms only.</summary>
internal sealed class AttachedRooms
{
    private readonly HashSet<LiveRoom> rooms = [];

    public void Add(LiveRoom room)
    {
        lock (rooms)
        {
            rooms.Add(room);
        }
    }

    public IReadOnlyList<LiveRoom> Snapshot()
    {
        lock (rooms)
        {
            return [.. rooms];
        }
    }
}
