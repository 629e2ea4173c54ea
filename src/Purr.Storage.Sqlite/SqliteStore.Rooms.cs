using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Sqlite;

/// <summary>Persistent rooms, one row each: the serialised RoomState. secure_delete erases a stopped room.</summary>
public sealed partial class SqliteStore : IRoomStore
{
    public ValueTask SaveRoomAsync(RoomState room, CancellationToken cancellationToken = default) =>
        new(Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO rooms (room_id, listed, state) VALUES ($id, $listed, $state)";
            command.Parameters.AddWithValue("$id", room.RoomId.ToBytes());
            command.Parameters.AddWithValue("$listed", room.Settings.Listed ? 1 : 0);
            command.Parameters.AddWithValue("$state", RoomStateJson.Serialize(room));
            // A replaced state may have dropped a member: its old copy is erased like a deleted message.
            return MarkErased(await command.ExecuteNonQueryAsync(cancellationToken));
        }, cancellationToken).AsTask());

    public ValueTask<RoomState?> FindRoomAsync(OpaqueId roomId, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT state FROM rooms WHERE room_id = $id";
            command.Parameters.AddWithValue("$id", roomId.ToBytes());
            return await command.ExecuteScalarAsync(cancellationToken) is byte[] state ? RoomStateJson.Deserialize(state) : null;
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
            command.CommandText = "SELECT state FROM rooms WHERE listed = 1";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rooms = new List<RoomState>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rooms.Add(RoomStateJson.Deserialize((byte[])reader[0]));
            }

            return rooms;
        }, cancellationToken);
}
