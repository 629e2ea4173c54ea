using Purr.Core.Registration;
using Purr.Storage.Memory;
using Purr.Storage.Sqlite;
using Purr.TestKit;

namespace Purr.Storage.Tests;

/// <summary>The behaviour every IRegistrationStore must have, run against each backend.</summary>
public abstract class RegistrationStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    protected IRegistrationStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IRegistrationStore> CreateAsync();

    [Fact]
    public async Task An_invite_gives_its_tokens_once_in_batches_until_used_up()
    {
        var hash = Enumerable.Repeat((byte)7, 32).ToArray();
        await Store.AddInviteAsync(new InviteRecord("inv1", hash, "for the family", 25, Now, Now.AddDays(7)));

        Assert.Equal((10, 15), await Store.TakeInviteTokensAsync(hash, 10, Now));
        Assert.Equal((10, 5), await Store.TakeInviteTokensAsync(hash, 10, Now));
        Assert.Equal((5, 0), await Store.TakeInviteTokensAsync(hash, 10, Now));
        Assert.Equal(0, (await Store.TakeInviteTokensAsync(hash, 10, Now)).Taken);
        var listed = Assert.Single(await Store.ListInvitesAsync());
        Assert.Equal(("inv1", "for the family", 0), (listed.Id, listed.Label, listed.TokensLeft));
        Assert.Equal(Now.AddDays(7), listed.ExpiresAt);
    }

    [Fact]
    public async Task Unknown_expired_and_revoked_invites_give_nothing()
    {
        var hash = Enumerable.Repeat((byte)1, 32).ToArray();
        var other = Enumerable.Repeat((byte)2, 32).ToArray();
        await Store.AddInviteAsync(new InviteRecord("a", hash, "", 10, Now, Now.AddHours(1)));
        await Store.AddInviteAsync(new InviteRecord("b", other, "", 10, Now, null));

        Assert.Equal(0, (await Store.TakeInviteTokensAsync(Enumerable.Repeat((byte)3, 32).ToArray(), 5, Now)).Taken);
        Assert.Equal(0, (await Store.TakeInviteTokensAsync(hash, 5, Now.AddHours(1))).Taken);
        Assert.Equal(5, (await Store.TakeInviteTokensAsync(other, 5, Now.AddYears(5))).Taken);

        Assert.True(await Store.RevokeInviteAsync("b"));
        Assert.False(await Store.RevokeInviteAsync("b"));
        Assert.Equal(0, (await Store.TakeInviteTokensAsync(other, 5, Now)).Taken);
        Assert.Equal("a", Assert.Single(await Store.ListInvitesAsync()).Id);
    }

    [Fact]
    public async Task Concurrent_redemptions_never_give_more_than_the_invite_holds()
    {
        var hash = Enumerable.Repeat((byte)9, 32).ToArray();
        await Store.AddInviteAsync(new InviteRecord("c", hash, "", 50, Now, null));
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Store.TakeInviteTokensAsync(hash, 7, Now).AsTask()));
        Assert.Equal(50, results.Sum(r => r.Taken));
    }

    [Fact]
    public async Task A_token_is_spent_once()
    {
        var token = Enumerable.Repeat((byte)5, 32).ToArray();
        Assert.True(await Store.SpendTokenAsync(token));
        Assert.False(await Store.SpendTokenAsync(token));
        Assert.True(await Store.SpendTokenAsync(Enumerable.Repeat((byte)6, 32).ToArray()));
        var concurrent = Enumerable.Repeat((byte)8, 32).ToArray();
        var spent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Store.SpendTokenAsync(concurrent).AsTask()));
        Assert.Single(spent, s => s);
    }

    [Fact]
    public async Task Accounts_are_added_once_found_listed_repassworded_and_removed()
    {
        Assert.True(await Store.AddAccountAsync(new AccountRecord("alice", "$argon2id$one", Now)));
        Assert.False(await Store.AddAccountAsync(new AccountRecord("alice", "$argon2id$two", Now)));
        Assert.True(await Store.AddAccountAsync(new AccountRecord("bob", "$argon2id$three", Now)));

        Assert.Equal("$argon2id$one", (await Store.FindAccountAsync("alice"))!.PasswordHash);
        Assert.Null(await Store.FindAccountAsync("Alice"));
        Assert.Equal(["alice", "bob"], (await Store.ListAccountsAsync()).Select(a => a.Name));

        Assert.True(await Store.SetAccountPasswordAsync("alice", "$argon2id$four"));
        Assert.False(await Store.SetAccountPasswordAsync("carol", "$argon2id$five"));
        Assert.Equal("$argon2id$four", (await Store.FindAccountAsync("alice"))!.PasswordHash);

        Assert.True(await Store.RemoveAccountAsync("alice"));
        Assert.False(await Store.RemoveAccountAsync("alice"));
        Assert.Null(await Store.FindAccountAsync("alice"));
    }
}

public sealed class MemoryRegistrationStoreTests : RegistrationStoreContract
{
    protected override Task<IRegistrationStore> CreateAsync() => Task.FromResult<IRegistrationStore>(new MemoryRegistrationStore());
}

public sealed class SqliteRegistrationStoreTests : RegistrationStoreContract, IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private SqliteStore? store;

    protected override async Task<IRegistrationStore> CreateAsync() =>
        store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(directory.Path, "purr.db") });

    public override async Task DisposeAsync()
    {
        await store!.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Invites_and_accounts_outlive_a_reopen()
    {
        var hash = Enumerable.Repeat((byte)4, 32).ToArray();
        await Store.AddInviteAsync(new InviteRecord("keep", hash, "", 3, DateTimeOffset.UnixEpoch, null));
        await Store.AddAccountAsync(new AccountRecord("kept", "$argon2id$x", DateTimeOffset.UnixEpoch));
        await Store.SpendTokenAsync(hash);
        await store!.DisposeAsync();

        store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(directory.Path, "purr.db") });
        Assert.Equal(3, (await store.TakeInviteTokensAsync(hash, 5, DateTimeOffset.UtcNow)).Taken);
        Assert.NotNull(await store.FindAccountAsync("kept"));
        Assert.False(await store.SpendTokenAsync(hash));
    }
}
