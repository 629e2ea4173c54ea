using Npgsql;
using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Postgres;

/// <summary>
/// Persistent rooms, one row each: the serialised RoomState (the same JSON as SQLite's) and its version, which
/// every update compares and increments in one statement, so processes sharing the database never overwrite
/// each other's change.
/// </summary>
public sealed partial class PostgresStore : IRoomStore
{
    // A room's JSON crosses the network only when its version moved since this process last read it.
    private readonly RoomStateCache roomCache = new();

    public async ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("INSERT INTO rooms (room_id, listed, state, version) VALUES (@id, @listed, @state, 1)");
        command.Parameters.AddWithValue("id", room.RoomId.ToBytes());
        command.Parameters.AddWithValue("listed", room.Settings.Listed);
        command.Parameters.AddWithValue("state", RoomStateJson.Serialize(room));
        await command.ExecuteNonQueryAsync(cancellationToken);
        room.Version = 1;
        roomCache.Remember(room);
    }

    public async ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        await using (var command = source.CreateCommand(
            "SELECT CASE WHEN version = @known THEN NULL ELSE state END, version FROM rooms WHERE room_id = @id"))
        {
            command.Parameters.AddWithValue("id", roomId.ToBytes());
            command.Parameters.AddWithValue("known", roomCache.KnownVersion(roomId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                roomCache.Forget(roomId);
                return null;
            }

            if (!reader.IsDBNull(0))
            {
                var room = Read(reader);
                roomCache.Remember(room);
                return room;
            }

            // Unchanged since this process read it, unless the cache let go of it meanwhile: then read it whole.
            if (roomCache.At(roomId, reader.GetInt64(1)) is { } cached)
            {
                return cached;
            }
        }

        await using var whole = source.CreateCommand("SELECT state, version FROM rooms WHERE room_id = @id");
        whole.Parameters.AddWithValue("id", roomId.ToBytes());
        await using var wholeReader = await whole.ExecuteReaderAsync(cancellationToken);
        return await wholeReader.ReadAsync(cancellationToken) ? Read(wholeReader) : null;
    }

    public async ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("""
            UPDATE rooms SET listed = @listed, state = @state, version = version + 1
            WHERE room_id = @id AND version = @version
            """);
        command.Parameters.AddWithValue("id", room.RoomId.ToBytes());
        command.Parameters.AddWithValue("listed", room.Settings.Listed);
        command.Parameters.AddWithValue("state", RoomStateJson.Serialize(room));
        command.Parameters.AddWithValue("version", room.Version);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return false;
        }

        room.Version++;
        roomCache.Remember(room);
        return true;
    }

    public async ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default)
    {
        roomCache.Forget(roomId);
        await using var command = source.CreateCommand("DELETE FROM rooms WHERE room_id = @id");
        command.Parameters.AddWithValue("id", roomId.ToBytes());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT state, version FROM rooms WHERE listed");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rooms = new List<RoomState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add(Read(reader));
        }

        return rooms;
    }

    private static RoomState Read(NpgsqlDataReader reader)
    {
        var room = RoomStateJson.Deserialize((byte[])reader[0]);
        room.Version = reader.GetInt64(1);
        return room;
    }
}
