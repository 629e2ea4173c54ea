using Purr.Core.Ids;
using Purr.Core.Rooms;
using Purr.Storage.Memory;
using Purr.Storage.Sqlite;
using Purr.TestKit;

namespace Purr.Storage.Tests;

/// <summary>The behaviour every IRoomStore must have, run against each backend.</summary>
public abstract class RoomStoreContract : IAsyncLifetime
{
    protected IRoomStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IRoomStore> CreateAsync();

    private static RoomState NewRoom(bool listed = false) => new()
    {
        RoomId = OpaqueId.NewRandom(),
        Persistent = true,
        JoinSecretHash = [1, 2, 3],
        PasswordHash = "$argon2id$placeholder",
        Settings = new RoomSettingsData { Listed = listed, ListingName = listed ? "Gardening" : "", Topic = [9, 9], MemberLimit = 7 },
        Members = [new RoomMemberData { MemberKey = [5, 5], DhKey = [6, 6], Role = RoomMemberRole.Owner, Voice = true, MailboxReceiveId = [7] }],
    };

    [Fact]
    public async Task Saved_room_is_found_whole_and_replaced_on_save()
    {
        var room = NewRoom();
        await Store.SaveRoomAsync(room);
        var found = await Store.FindRoomAsync(room.RoomId);
        Assert.NotNull(found);
        Assert.Equal(RoomStateJson.Serialize(room), RoomStateJson.Serialize(found));

        room.Settings.Locked = true;
        room.Members.Add(new RoomMemberData { MemberKey = [8], Role = RoomMemberRole.Member });
        await Store.SaveRoomAsync(room);
        found = await Store.FindRoomAsync(room.RoomId);
        Assert.True(found!.Settings.Locked);
        Assert.Equal(2, found.Members.Count);
        Assert.Null(await Store.FindRoomAsync(OpaqueId.NewRandom()));
    }

    [Fact]
    public async Task Deleted_room_is_gone_and_only_listed_rooms_are_listed()
    {
        var hidden = NewRoom();
        var listed = NewRoom(listed: true);
        await Store.SaveRoomAsync(hidden);
        await Store.SaveRoomAsync(listed);
        Assert.Equal([listed.RoomId], (await Store.ListedRoomsAsync()).Select(r => r.RoomId));

        Assert.True(await Store.DeleteRoomAsync(listed.RoomId));
        Assert.False(await Store.DeleteRoomAsync(listed.RoomId));
        Assert.Null(await Store.FindRoomAsync(listed.RoomId));
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
