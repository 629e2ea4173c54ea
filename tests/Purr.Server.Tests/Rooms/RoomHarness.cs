using Purr.Client;
using Purr.Client.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

/// <summary>Room members, each on a connection of its own, and helpers to wait for what they see.</summary>
internal sealed class RoomHarness : IAsyncDisposable
{
    private readonly List<PurrConnection> connections = [];
    private readonly List<RoomSession> sessions = [];

    public RoomHarness(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    public async Task<(RoomSession Session, PurrConnection Connection)> CreateAsync(RoomKind kind, string name, RoomSettings? settings = null, string? password = null)
    {
        var connection = await Connect();
        var session = await RoomSession.CreateAsync(connection, kind, name, settings, password);
        sessions.Add(session);
        return (session, connection);
    }

    public async Task<(RoomSession Session, PurrConnection Connection)> JoinAsync(RoomSession room, string name, string? password = null)
    {
        var connection = await Connect();
        var session = await RoomSession.JoinAsync(connection, room.Link.ToString(), name, password);
        sessions.Add(session);
        return (session, connection);
    }

    public async Task<PurrConnection> Connect()
    {
        var connection = await Server.ConnectAsync();
        connections.Add(connection);
        return connection;
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
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
