using Purr.Client.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Tests.Rooms;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Joining after the room key rotated: the link carries only the room's first key, so the next member to speak seals
/// the current one to the newcomer. Both implementations, each as the sharer and as the newcomer.
/// </summary>
public sealed class BrowserRoomKeyTests
{
    [Fact]
    public async Task A_newcomer_after_a_key_rotation_reads_the_room_whichever_client_shares_the_key()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        await alice.MembersAsync();
        await carol.LeaveAsync();
        await RoomHarness.NextAsync<RoomMemberLeft>(alice);
        await alice.SendTextAsync("the key rotated");
        await RoomHarness.TextAsync(bob, "the key rotated");

        // The browser joins with the original link; the C# client seals it the current key before speaking.
        await using var browser = await Browser.LaunchAsync();
        var dave = await browser.OpenAsync(server.HttpBase, "dave");
        await dave.CreateProfileAsync("Dave");
        await dave.JoinRoomAsync(alice.Link.ToString(), "Dave");
        await RoomHarness.NextAsync<RoomMemberJoined>(alice);
        await alice.SendTextAsync("welcome Dave");
        await dave.ExpectMessageAsync("welcome Dave");

        // A C# newcomer; the browser speaks first and seals it the key.
        var (erin, _) = await harness.JoinAsync(alice, "Erin");
        await dave.ExpectMessageAsync("Erin joined");
        await dave.SendAsync("welcome Erin");
        await RoomHarness.TextAsync(erin, "welcome Erin");
        await RoomHarness.TextAsync(alice, "welcome Erin");
    }
}
