using Purr.Core.Rooms;
using Purr.Storage.Memory;
using Purr.Storage.Sqlite;
using Purr.TestKit;

namespace Purr.Storage.Tests;

/// <summary>The behaviour every persistent IRoomStore must have, run against each backend.</summary>
public abstract class RoomStoreContract : RoomStateStoreContract<IRoomStore>
{
    protected override bool Persistent => true;

    [Fact]
    public async Task Only_listed_rooms_are_listed_and_a_deleted_one_no_more()
    {
        var hidden = NewRoom();
        var listed = NewRoom(listed: true);
        await Store.CreateRoomAsync(hidden);
        await Store.CreateRoomAsync(listed);
        Assert.Equal([listed.RoomId], (await Store.ListedRoomsAsync()).Select(r => r.RoomId));

        // Unlisting is a change like any other.
        var found = (await Store.FindRoomAsync(listed.RoomId))!;
        found.Settings.Listed = false;
        Assert.True(await Store.TryUpdateRoomAsync(found));
        Assert.Empty(await Store.ListedRoomsAsync());

        found.Settings.Listed = true;
        Assert.True(await Store.TryUpdateRoomAsync(found));
        Assert.Equal(3, Assert.Single(await Store.ListedRoomsAsync()).Version);
        Assert.True(await Store.DeleteRoomAsync(listed.RoomId));
        Assert.Empty(await Store.ListedRoomsAsync());
    }
}

public sealed class MemoryRoomStoreTests : RoomStoreContract
{
    protected override Task<IRoomStore> CreateAsync() => Task.FromResult<IRoomStore>(new MemoryRoomStore());
}

public sealed class SqliteRoomStoreTests : RoomStoreContract, IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private SqliteStore? store;

    protected override async Task<IRoomStore> CreateAsync() =>
        store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(directory.Path, "purr.db") });

    public override async Task DisposeAsync()
    {
        await store!.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await base.DisposeAsync();
    }

    public void Dispose() => directory.Dispose();
}
