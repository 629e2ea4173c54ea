using Purr.Core.Ids;
using Purr.Core.Rooms;

namespace Purr.Storage.Tests;

/// <summary>
/// The behaviour every room state store must have, persistent (memory, SQLite, PostgreSQL) and transient (memory,
/// Redis): whole states in and out, and compare-and-set on the version, so processes sharing a store never
/// overwrite each other's change. Also compiled into Purr.Server.Tests for the transient stores.
/// </summary>
public abstract class RoomStateStoreContract<TStore> : IAsyncLifetime
    where TStore : IRoomStateStore
{
    protected TStore Store { get; private set; } = default!;

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<TStore> CreateAsync();

    protected abstract bool Persistent { get; }

    /// <summary>For a store several processes share: another instance on the same data (null where there is no such thing).</summary>
    protected virtual Task<TStore?> OpenAnotherAsync() => Task.FromResult<TStore?>(default);

    protected RoomState NewRoom(bool listed = false) => new()
    {
        RoomId = OpaqueId.NewRandom(),
        Persistent = Persistent,
        JoinSecretHash = [1, 2, 3],
        PasswordHash = "$argon2id$placeholder",
        Settings = new RoomSettingsData { Listed = listed, ListingName = listed ? "Gardening" : "", Topic = [9, 9], MemberLimit = 7 },
        Members = [new RoomMemberData { MemberKey = [5, 5], DhKey = [6, 6], Role = RoomMemberRole.Owner, Voice = true, MailboxReceiveId = Persistent ? [7] : null }],
    };

    [Fact]
    public async Task A_created_room_is_found_whole_at_version_1_and_changes_by_compare_and_set()
    {
        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        Assert.Equal(1, room.Version);
        var found = await Store.FindRoomAsync(room.RoomId);
        Assert.NotNull(found);
        Assert.Equal(1, found.Version);
        Assert.Equal(RoomStateJson.Serialize(room), RoomStateJson.Serialize(found));

        found.Settings.Locked = true;
        found.Members.Add(new RoomMemberData { MemberKey = [8], Role = RoomMemberRole.Member });
        Assert.True(await Store.TryUpdateRoomAsync(found));
        Assert.Equal(2, found.Version);
        var updated = await Store.FindRoomAsync(room.RoomId);
        Assert.True(updated!.Settings.Locked);
        Assert.Equal(2, updated.Members.Count);
        Assert.Equal(2, updated.Version);
        Assert.Null(await Store.FindRoomAsync(OpaqueId.NewRandom()));
    }

    [Fact]
    public async Task A_change_to_a_state_someone_else_changed_since_is_refused_and_changes_nothing()
    {
        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        var first = (await Store.FindRoomAsync(room.RoomId))!;
        var second = (await Store.FindRoomAsync(room.RoomId))!;

        first.Members.Add(new RoomMemberData { MemberKey = [1], Role = RoomMemberRole.Member });
        second.Members.Add(new RoomMemberData { MemberKey = [2], Role = RoomMemberRole.Member });
        Assert.True(await Store.TryUpdateRoomAsync(first));
        Assert.False(await Store.TryUpdateRoomAsync(second));
        Assert.Equal(1, second.Version);

        var stored = (await Store.FindRoomAsync(room.RoomId))!;
        Assert.Equal([[5, 5], [1]], stored.Members.Select(m => m.MemberKey));

        // Read again, the same change goes through.
        stored.Members.Add(new RoomMemberData { MemberKey = [2], Role = RoomMemberRole.Member });
        Assert.True(await Store.TryUpdateRoomAsync(stored));
        Assert.Equal(3, (await Store.FindRoomAsync(room.RoomId))!.Members.Count);
    }

    [Fact]
    public async Task Concurrent_changes_from_many_readers_each_land_exactly_once_when_retried()
    {
        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        await Task.WhenAll(Enumerable.Range(10, 8).Select(async key =>
        {
            while (true)
            {
                var current = (await Store.FindRoomAsync(room.RoomId))!;
                current.Members.Add(new RoomMemberData { MemberKey = [(byte)key], Role = RoomMemberRole.Member });
                if (await Store.TryUpdateRoomAsync(current))
                {
                    return;
                }
            }
        }));

        var stored = (await Store.FindRoomAsync(room.RoomId))!;
        Assert.Equal(9, stored.Members.Count);
        Assert.Equal(9, stored.Version);
    }

    [Fact]
    public async Task A_deleted_room_is_gone_and_cannot_be_updated()
    {
        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        Assert.True(await Store.DeleteRoomAsync(room.RoomId));
        Assert.False(await Store.DeleteRoomAsync(room.RoomId));
        Assert.Null(await Store.FindRoomAsync(room.RoomId));
        Assert.False(await Store.TryUpdateRoomAsync(room));
    }

    [Fact]
    public async Task What_another_process_changed_or_deleted_is_what_this_one_reads_next()
    {
        var other = await OpenAnotherAsync();
        if (other is null)
        {
            return;
        }

        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        Assert.NotNull(await Store.FindRoomAsync(room.RoomId));

        // The other process changes it twice: this one must see the last change, not what it read (or cached) before.
        for (var change = 0; change < 2; change++)
        {
            var theirs = (await other.FindRoomAsync(room.RoomId))!;
            theirs.Members.Add(new RoomMemberData { MemberKey = [(byte)(20 + change)], Role = RoomMemberRole.Member });
            Assert.True(await other.TryUpdateRoomAsync(theirs));
            var ours = (await Store.FindRoomAsync(room.RoomId))!;
            Assert.Equal(theirs.Version, ours.Version);
            Assert.Equal(2 + change, ours.Members.Count);
        }

        // A stale copy of ours is refused, and reading again gives the current one.
        room.Settings.Locked = true;
        Assert.False(await Store.TryUpdateRoomAsync(room));
        Assert.True(await other.DeleteRoomAsync(room.RoomId));
        Assert.Null(await Store.FindRoomAsync(room.RoomId));
    }

    [Fact]
    public async Task Changing_a_state_that_was_read_or_saved_never_changes_the_stored_one()
    {
        var room = NewRoom();
        await Store.CreateRoomAsync(room);
        room.Members.Clear();
        var found = (await Store.FindRoomAsync(room.RoomId))!;
        found.Settings.Locked = true;
        found.Members[0].Role = RoomMemberRole.Member;
        var again = (await Store.FindRoomAsync(room.RoomId))!;
        Assert.Single(again.Members);
        Assert.False(again.Settings.Locked);
        Assert.Equal(RoomMemberRole.Owner, again.Members[0].Role);
    }
}
