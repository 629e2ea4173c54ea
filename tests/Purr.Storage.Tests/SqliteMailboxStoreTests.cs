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
        Assert.Equal(2L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Refuses_an_unknown_synchronous_mode()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath + "2", Synchronous = "OFF; DROP TABLE x" }));
    }
}
