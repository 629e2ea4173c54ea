using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Sqlite;

/// <summary>Persistent rooms, one row each: the serialised RoomState and its version. secure_delete erases a stopped room.</summary>
public sealed partial class SqliteStore : IRoomStore
{
    public ValueTask CreateRoomAsync(RoomState room, CancellationToken cancellationToken = default) =>
        new(Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO rooms (room_id, listed, state, version) VALUES ($id, $listed, $state, 1)";
            command.Parameters.AddWithValue("$id", room.RoomId.ToBytes());
            command.Parameters.AddWithValue("$listed", room.Settings.Listed ? 1 : 0);
            command.Parameters.AddWithValue("$state", RoomStateJson.Serialize(room));
            await command.ExecuteNonQueryAsync(cancellationToken);
            room.Version = 1;
            return true;
        }, cancellationToken).AsTask());

    public ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, version FROM rooms WHERE room_id = $id";
            command.Parameters.AddWithValue("$id", roomId.ToBytes());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var room = RoomStateJson.Deserialize((byte[])reader[0]);
            room.Version = reader.GetInt64(1);
            return room;
        }, cancellationToken);

    public ValueTask<bool> TryUpdateRoomAsync(RoomState room, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE rooms SET listed = $listed, state = $state, version = version + 1
                WHERE room_id = $id AND version = $version
                """;
            command.Parameters.AddWithValue("$id", room.RoomId.ToBytes());
            command.Parameters.AddWithValue("$listed", room.Settings.Listed ? 1 : 0);
            command.Parameters.AddWithValue("$state", RoomStateJson.Serialize(room));
            command.Parameters.AddWithValue("$version", room.Version);

            // A replaced state may have dropped a member: its old copy is erased like a deleted message.
            if (MarkErased(await command.ExecuteNonQueryAsync(cancellationToken)) != 1)
            {
                return false;
            }

            room.Version++;
            return true;
        }, cancellationToken);

    public ValueTask<bool> DeleteRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM rooms WHERE room_id = $id";
            command.Parameters.AddWithValue("$id", roomId.ToBytes());
            return MarkErased(await command.ExecuteNonQueryAsync(cancellationToken)) == 1;
        }, cancellationToken);

    public ValueTask<IReadOnlyList<RoomState>> ListedRoomsAsync(CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<RoomState>>(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, version FROM rooms WHERE listed = 1";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rooms = new List<RoomState>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var room = RoomStateJson.Deserialize((byte[])reader[0]);
                room.Version = reader.GetInt64(1);
                rooms.Add(room);
            }

            return rooms;
        }, cancellationToken);
}
