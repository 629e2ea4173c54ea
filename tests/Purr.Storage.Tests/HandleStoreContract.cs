using Purr.Core.Handles;
using Purr.Storage.Memory;
using Purr.Storage.Sqlite;
using Purr.TestKit;

namespace Purr.Storage.Tests;

/// <summary>The behaviour every IHandleStore must have (memory, SQLite, PostgreSQL): claims, one handle per key, listings, search.</summary>
public abstract class HandleStoreContract : IAsyncLifetime
{
    private const long Now = 1_800_000_000;

    protected IHandleStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IHandleStore> CreateAsync();

    private static byte[] Key(byte b) => [.. Enumerable.Repeat(b, 32)];

    [Fact]
    public async Task A_name_is_claimed_once_updated_by_its_key_only_and_a_key_holds_one_name()
    {
        Assert.Equal(HandleClaim.Claimed, await Store.ClaimAsync(new HandleRecord("alice", "purr:address/one", Key(1))));
        Assert.Equal(HandleClaim.Taken, await Store.ClaimAsync(new HandleRecord("alice", "purr:address/evil", Key(2))));
        Assert.Equal(HandleClaim.KeyHoldsAnother, await Store.ClaimAsync(new HandleRecord("alice2", "purr:address/one", Key(1))));
        Assert.Equal("purr:address/one", (await Store.FindAsync("alice"))!.AddressLink);

        Assert.True(await Store.SetListingAsync("alice", true, "Gardening and bees", Now + 60));
        Assert.Equal(HandleClaim.Updated, await Store.ClaimAsync(new HandleRecord("alice", "purr:address/two", Key(1))));
        var found = await Store.FindAsync("alice");
        Assert.Equal(("purr:address/two", true, "Gardening and bees", Now + 60), (found!.AddressLink, found.Listed, found.Description, found.FreeUntil));
        Assert.Equal(Key(1), found.AddressKey);

        Assert.True(await Store.DeleteAsync("alice"));
        Assert.False(await Store.DeleteAsync("alice"));
        Assert.Null(await Store.FindAsync("alice"));
        Assert.False(await Store.SetListingAsync("alice", true, "", 0));
        Assert.Equal(HandleClaim.Claimed, await Store.ClaimAsync(new HandleRecord("alice", "purr:address/other", Key(2))));
        Assert.False((await Store.FindAsync("alice"))!.Listed);
    }

    [Fact]
    public async Task Search_finds_listed_handles_by_name_prefix_or_description_word_and_delisting_is_immediate()
    {
        await Store.ClaimAsync(new HandleRecord("bees.club", "purr:address/1", Key(1)));
        await Store.ClaimAsync(new HandleRecord("alice", "purr:address/2", Key(2)));
        await Store.ClaimAsync(new HandleRecord("bob", "purr:address/3", Key(3)));
        await Store.ClaimAsync(new HandleRecord("hidden", "purr:address/4", Key(4)));
        await Store.SetListingAsync("bees.club", true, "Beekeepers of the valley", 0);
        await Store.SetListingAsync("alice", true, "Gardening and Bees", Now + 60);
        await Store.SetListingAsync("bob", true, "100% fun_times", Now - 1);

        Assert.Equal(["alice", "bees.club"], (await Store.SearchAsync("bee", false, Now, 20)).Select(h => h.Name));
        Assert.Equal(["alice"], (await Store.SearchAsync("bee", true, Now, 20)).Select(h => h.Name));
        Assert.Equal(["bees.club"], (await Store.SearchAsync("bees.", false, Now, 20)).Select(h => h.Name));
        Assert.Equal(["alice"], (await Store.SearchAsync("garden", false, Now, 20)).Select(h => h.Name));
        Assert.Empty(await Store.SearchAsync("hidden", false, Now, 20));
        Assert.Empty(await Store.SearchAsync("alley", false, Now, 20));
        // Wildcards in a query are plain characters.
        Assert.Empty(await Store.SearchAsync("%", false, Now, 20));
        Assert.Empty(await Store.SearchAsync("fun%", false, Now, 20));
        Assert.Empty(await Store.SearchAsync("b_b", false, Now, 20));
        Assert.Single(await Store.SearchAsync("bee", false, Now, 1));

        Assert.True(await Store.SetListingAsync("alice", false, "ignored", Now + 60));
        Assert.Equal(["bees.club"], (await Store.SearchAsync("bee", false, Now, 20)).Select(h => h.Name));
        var delisted = await Store.FindAsync("alice");
        Assert.Equal((false, "", 0L), (delisted!.Listed, delisted.Description, delisted.FreeUntil));
    }
}

public sealed class MemoryHandleStoreTests : HandleStoreContract
{
    protected override Task<IHandleStore> CreateAsync() => Task.FromResult<IHandleStore>(new MemoryHandleStore());
}

public sealed class SqliteHandleStoreTests : HandleStoreContract, IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private SqliteStore? store;

    protected override async Task<IHandleStore> CreateAsync() =>
        store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(directory.Path, "purr.db") });

    public override async Task DisposeAsync()
    {
        await store!.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    public void Dispose() => directory.Dispose();
}

public sealed class PostgresHandleStoreTests : HandleStoreContract
{
    private readonly PostgresStoreForTest store = new();

    protected override async Task<IHandleStore> CreateAsync() => await store.OpenAsync();

    public override async Task DisposeAsync()
    {
        await store.CloseAsync();
        await base.DisposeAsync();
    }
}
