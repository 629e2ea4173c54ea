using Npgsql;
using Purr.Core.Mailboxes;
using Purr.Core.Registration;
using Purr.Core.Rooms;
using Purr.Storage.Postgres;
using Purr.TestKit;

namespace Purr.Storage.Tests;

/// <summary>The contract suites on a real PostgreSQL (scripts/test-services.sh), a fresh database per test.</summary>
public sealed class PostgresMailboxStoreTests : MailboxStoreContract
{
    private TemporaryPostgresDatabase? database;

    protected override async Task<IMailboxStore> CreateStoreAsync()
    {
        database = await TemporaryPostgresDatabase.CreateAsync();
        return await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database.ConnectionString });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await database!.DisposeAsync();
    }

    [Fact]
    public async Task Migrations_run_once_when_several_processes_open_the_database_at_once_and_a_newer_schema_is_refused()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database!.ConnectionString })));
        foreach (var store in opened)
        {
            await store.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(database!.ConnectionString);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("SELECT count(*), max(version) FROM purr_schema", connection);
        await using (var reader = await version.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.Equal(4, reader.GetInt32(1));
        }


        await using var newer = new NpgsqlCommand("UPDATE purr_schema SET version = 99", connection);
        await newer.ExecuteNonQueryAsync();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database.ConnectionString }));
        Assert.Contains("upgrade purrd", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_senders_on_separate_connections_never_overshoot_the_quota()
    {
        var mailbox = NewMailbox(quota: 5);
        await Store.CreateMailboxAsync(mailbox);
        var now = NewMessage(0).ReceivedAt;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Store.EnqueueAsync(mailbox.ReceiveId, NewMessage((byte)i), mailbox.Quota, now).AsTask()));
        Assert.Equal(5, results.Count(r => r.IsStored()));
        Assert.Single(results, r => r == EnqueueResult.StoredAsHead);
        Assert.Equal(5, await Store.CountMessagesAsync(mailbox.ReceiveId, now));
    }
}

public sealed class PostgresRoomStoreTests : RoomStoreContract
{
    private readonly PostgresStoreForTest store = new();

    protected override async Task<IRoomStore> CreateAsync() => await store.OpenAsync();

    protected override async Task<IRoomStore?> OpenAnotherAsync() => await store.OpenAnotherAsync();

    public override async Task DisposeAsync()
    {
        await store.CloseAsync();
        await base.DisposeAsync();
    }
}

public sealed class PostgresRegistrationStoreTests : RegistrationStoreContract
{
    private readonly PostgresStoreForTest store = new();

    protected override async Task<IRegistrationStore> CreateAsync() => await store.OpenAsync();

    public override async Task DisposeAsync()
    {
        await store.CloseAsync();
        await base.DisposeAsync();
    }
}

/// <summary>A PostgresStore on a fresh database of its own, both gone on CloseAsync.</summary>
internal sealed class PostgresStoreForTest
{
    private TemporaryPostgresDatabase? database;
    private PostgresStore? store;

    private PostgresStore? second;

    public async Task<PostgresStore> OpenAsync()
    {
        database = await TemporaryPostgresDatabase.CreateAsync();
        return store = await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database.ConnectionString });
    }

    /// <summary>Another store on the same database: what a second purrd process has.</summary>
    public async Task<PostgresStore> OpenAnotherAsync() =>
        second = await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database!.ConnectionString });

    /// <summary>Closes the stores and drops their database (the test class's DisposeAsync calls it).</summary>
    public async Task CloseAsync()
    {
        if (second is not null)
        {
            await second.DisposeAsync();
        }

        await store!.DisposeAsync();
        await database!.DisposeAsync();
    }
}
