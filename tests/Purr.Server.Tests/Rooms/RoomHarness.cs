using Purr.Client;
using Purr.Client.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

/// <summary>Room members, each on a connection of its own, and helpers to wait for what they see.</summary>
internal sealed class RoomHarness : IAsyncDisposable
{
    private readonly List<PurrConnection> connections = [];
    private readonly List<RoomSession> sessions = [];
    private readonly Func<int, Task<PurrConnection>> connect;

    public RoomHarness(RunningServer server) => connect = _ => server.ConnectAsync();

    /// <summary>Members connect through any of several processes: <paramref name="connectTo"/> takes the node's number.</summary>
    public RoomHarness(Func<int, Task<PurrConnection>> connectTo) => connect = connectTo;

    public async Task<(RoomSession Session, PurrConnection Connection)> CreateAsync(
        RoomKind kind, string name, RoomSettings? settings = null, string? password = null, int node = 0)
    {
        var connection = await Connect(node);
        var session = await RoomSession.CreateAsync(connection, kind, name, settings, password);
        Keep(session);
        return (session, connection);
    }

    public async Task<(RoomSession Session, PurrConnection Connection)> JoinAsync(RoomSession room, string name, string? password = null, int node = 0)
    {
        var connection = await Connect(node);
        var session = await RoomSession.JoinAsync(connection, room.Link.ToString(), name, password);
        Keep(session);
        return (session, connection);
    }

    /// <summary>A room session taken over on another connection (after its node died, for instance).</summary>
    public async Task<RoomSession> ResumeAsync(RoomSessionState state, int node)
    {
        var session = await RoomSession.ResumeAsync(await Connect(node), state);
        Keep(session);
        return session;
    }

    public async Task<PurrConnection> Connect(int node = 0)
    {
        var connection = await connect(node);
        lock (connections)
        {
            connections.Add(connection);
        }

        return connection;
    }

    private void Keep(RoomSession session)
    {
        lock (sessions)
        {
            sessions.Add(session);
        }
    }

    public static async Task<T> NextAsync<T>(RoomSession session, Func<T, bool>? match = null)
        where T : RoomUpdate
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var update = await session.Updates.ReadAsync(timeout.Token);
            if (update is T wanted && (match is null || match(wanted)))
            {
                return wanted;
            }
        }
    }

    public static Task<RoomText> TextAsync(RoomSession session, string text) => NextAsync<RoomText>(session, t => t.Text == text);

    public async ValueTask DisposeAsync()
    {
        // A member whose node was killed has a dead connection: disposing it must not stop the rest.
        foreach (var session in sessions)
        {
            await Quietly(session.DisposeAsync);
        }

        foreach (var connection in connections)
        {
            await Quietly(connection.DisposeAsync);
        }
    }

    private static async Task Quietly(Func<ValueTask> dispose)
    {
        try
        {
            await dispose();
        }
        catch (Exception e) when (e is PurrClientException or IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }
    }
}
