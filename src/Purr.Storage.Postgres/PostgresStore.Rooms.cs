using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Postgres;

/// <summary>Persistent rooms, one row each: the serialised RoomState (the same JSON as SQLite's).</summary>
public sealed partial class PostgresStore : IRoomStore
{
    public async ValueTask SaveRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO rooms (room_id, listed, state) VALUES (@id, @listed, @state)
            ON CONFLICT (room_id) DO UPDATE SET listed = excluded.listed, state = excluded.state
            """);
        command.Parameters.AddWithValue("id", room.RoomId.ToBytes());
        command.Parameters.AddWithValue("listed", room.Settings.Listed);
        command.Parameters.AddWithValue("state", RoomStateJson.Serialize(room));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT state FROM rooms WHERE room_id = @id");
        command.Parameters.AddWithValue("id", roomId.ToBytes());
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] state ? RoomStateJson.Deserialize(state) : null;
    }

    public async ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("DELETE FROM rooms WHERE room_id = @id");
        command.Parameters.AddWithValue("id", roomId.ToBytes());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT state FROM rooms WHERE listed");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rooms = new List<RoomState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add(RoomStateJson.Deserialize((byte[])reader[0]));
        }

        return rooms;
    }
}
