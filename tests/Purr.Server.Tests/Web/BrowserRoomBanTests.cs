using Microsoft.Playwright;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Tests.Rooms;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Kicks change the link and bans keep a profile out, with the browser on each side: as the one who bans (its new
/// link reaches a C# member end to end) and as the one banned (its profile's join tag is refused with the new link).
/// </summary>
public sealed class BrowserRoomBanTests
{
    [Fact]
    public async Task A_browser_bans_a_member_and_the_members_share_the_new_link()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var link = await alice.CreateRoomAsync(title: "Garden");
        var bobConnection = await harness.Connect();
        var bob = await RoomSession.JoinAsync(bobConnection, link, "Bob");
        var malloryProfile = SecureRandom.Bytes(32);
        await using var malloryConnection = await server.ConnectAsync();
        await using var mallory = await RoomSession.JoinAsync(malloryConnection, link, "Mallory", joinTagSecret: malloryProfile);
        await alice.Page.GetByText("Back to the room").ClickAsync();
        await alice.ExpectMessageAsync("Mallory");
        await alice.ById("members").ClickAsync();

        // Who is connected shows in the members view.
        await Assertions.Expect(alice.Page.GetByTestId("member").Filter(new() { HasText = "Bob" }).GetByTestId("member-here")).ToBeVisibleAsync(new() { Timeout = 20_000 });

        await alice.Page.GetByTestId("member").Filter(new() { HasText = "Mallory" }).GetByTestId("ban").ClickAsync();
        await RoomHarness.NextAsync<RoomKicked>(mallory);
        var changed = await RoomHarness.NextAsync<RoomLinkChanged>(bob);
        Assert.NotEqual(link, changed.Link);
        await Assertions.Expect(alice.ById("room-link")).ToHaveValueAsync(changed.Link, new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("ban-count")).ToContainTextAsync("1 banned", new() { Timeout = 20_000 });

        await using var again = await server.ConnectAsync();
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.JoinAsync(again, link, "Mallory"))).Code);
        Assert.Equal(ErrorCode.RoomBanned, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.JoinAsync(again, changed.Link, "Mallory", joinTagSecret: malloryProfile))).Code);

        // The room goes on under the new key, with a newcomer from the new link.
        var carolSession = await RoomSession.JoinAsync(await harness.Connect(), changed.Link, "Carol");
        await alice.Page.GetByText("Back to the room").ClickAsync();
        await alice.ExpectMessageAsync("Carol joined");
        await alice.SendAsync("welcome, Carol");
        await RoomHarness.TextAsync(carolSession, "welcome, Carol");
        await RoomHarness.TextAsync(bob, "welcome, Carol");

        // Bob's connection goes: the members view stops showing him here.
        await bob.DisposeAsync();
        await bobConnection.DisposeAsync();
        await alice.ById("members").ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("member").Filter(new() { HasText = "Bob" }).GetByTestId("member-here")).ToHaveCountAsync(0, new() { Timeout = 20_000 });

        // Clearing the list lets the profile back in.
        await alice.ById("clear-bans").ClickAsync();
        await Assertions.Expect(alice.ById("ban-count")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await using var forgiven = await RoomSession.JoinAsync(again, changed.Link, "Mallory", joinTagSecret: malloryProfile);
        Assert.Empty(alice.Problems);
    }

    [Fact]
    public async Task A_banned_browser_profile_is_refused_with_the_new_link_which_its_fellow_members_received()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (owner, _) = await harness.CreateAsync(RoomKind.Persistent, "Owner");
        await using var browser = await Browser.LaunchAsync();
        var dave = await browser.OpenAsync(server.HttpBase, "dave");
        var erin = await browser.OpenAsync(server.HttpBase, "erin");
        await dave.CreateProfileAsync("Dave");
        await erin.CreateProfileAsync("Erin");
        var oldLink = owner.Link.ToString();
        await dave.JoinRoomAsync(oldLink, "Dave");
        await erin.JoinRoomAsync(oldLink, "Erin");
        await RoomHarness.NextAsync<RoomMemberJoined>(owner, j => j.Name == "Erin");

        var daveKey = (await owner.MembersAsync()).Single(m => m.Name == "Dave").MemberKey;
        await owner.KickAsync(daveKey, ban: true);
        await dave.ExpectMessageAsync("You were removed from the room.");
        await erin.ExpectMessageAsync("The room's link changed");

        // Erin's browser holds the new link, byte for byte the owner's.
        await erin.ById("members").ClickAsync();
        await Assertions.Expect(erin.ById("room-link")).ToHaveValueAsync(owner.Link.ToString(), new() { Timeout = 20_000 });

        // Dave's old link no longer opens the room; with the new one, his profile's tag is refused.
        await dave.JoinRoomAsync(oldLink, "Dave", expectJoined: false);
        await Assertions.Expect(dave.ById("error")).ToContainTextAsync("AUTH", new() { Timeout = 20_000 });
        await dave.JoinRoomAsync(owner.Link.ToString(), "Dave", expectJoined: false);
        await Assertions.Expect(dave.ById("error")).ToContainTextAsync("ROOM_BANNED", new() { Timeout = 20_000 });
        Assert.Equal(1, await owner.BanCountAsync());
    }
}
