using Microsoft.Data.Sqlite;
using Purr.Core.Mailboxes;
using Purr.Storage.Sqlite;
using Purr.TestKit;

namespace Purr.Storage.Tests;

public sealed class SqliteStoreTests : MailboxStoreContract, IDisposable
{
    private readonly TemporaryDirectory directory = new();

    private string DatabasePath => Path.Combine(directory.Path, "purr.db");

    protected override async Task<IMailboxStore> CreateStoreAsync() =>
        await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath });

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        directory.Dispose();
    }

    [Fact]
    public async Task Stored_messages_survive_closing_and_reopening_the_file()
    {
        var mailbox = NewMailbox();
        var message = NewMessage(42);
        await Store.CreateMailboxAsync(mailbox);
        await Store.EnqueueAsync(mailbox.ReceiveId, message, 10, message.ReceivedAt);
        await Store.DisposeAsync();

        await using var reopened = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath });
        var head = await reopened.PeekAsync(mailbox.ReceiveId, message.ReceivedAt);
        Assert.NotNull(head);
        Assert.Equal(message.Payload, head.Payload);
    }

    [Fact]
    public async Task Uses_write_ahead_logging_and_records_its_schema_version()
    {
        await Store.CreateMailboxAsync(NewMailbox());
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA user_version";
        Assert.Equal(6L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_version_2_file_gains_the_registration_tables_and_keeps_its_mailboxes()
    {
        var path = DatabasePath + ".v2";
        await using (var old = new SqliteConnection($"Data Source={path}"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE mailboxes (receive_id BLOB PRIMARY KEY, send_id BLOB NOT NULL UNIQUE, recipient_key BLOB NOT NULL,
                    sender_key BLOB, lifetime_seconds INTEGER NOT NULL, quota INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO mailboxes VALUES (x'00000000000000000000000000000001', x'00000000000000000000000000000002', x'00', NULL, 60, 10);
                PRAGMA user_version = 2;
                """;
            await create.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var upgraded = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = path });
        Assert.Equal(1L, (await upgraded.TotalsAsync(DateTimeOffset.UtcNow)).Mailboxes);
        Assert.True(await upgraded.AddAccountAsync(new Core.Registration.AccountRecord("alice", "$argon2id$x", DateTimeOffset.UnixEpoch)));
        Assert.True(await upgraded.SpendTokenAsync(new byte[32]));
    }

    [Fact]
    public async Task A_version_3_file_gains_room_versions_and_its_rooms_change_by_compare_and_set()
    {
        var path = DatabasePath + ".v3";
        var room = new Core.Rooms.RoomState { RoomId = Core.Ids.OpaqueId.NewRandom(), Persistent = true, JoinSecretHash = [1] };
        await using (var old = new SqliteConnection($"Data Source={path}"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = "CREATE TABLE rooms (room_id BLOB PRIMARY KEY, listed INTEGER NOT NULL, state BLOB NOT NULL) WITHOUT ROWID;"
                + "INSERT INTO rooms VALUES ($id, 0, $state); PRAGMA user_version = 3;";
            create.Parameters.AddWithValue("$id", room.RoomId.ToBytes());
            create.Parameters.AddWithValue("$state", Core.Rooms.RoomStateJson.Serialize(room));
            await create.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var upgraded = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = path });
        var found = await upgraded.FindRoomAsync(room.RoomId);
        Assert.Equal(1, found!.Version);
        var stale = found.Copy();
        Assert.True(await upgraded.TryUpdateRoomAsync(found));
        Assert.False(await upgraded.TryUpdateRoomAsync(stale));
    }

    [Fact]
    public async Task Refuses_an_unknown_synchronous_mode()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath + "2", Synchronous = "OFF; DROP TABLE x" }));
    }
}
