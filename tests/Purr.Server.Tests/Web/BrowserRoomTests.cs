using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>A room of three browsers: whisper, kick, topic, exit and stop behave as in the rooms issue, enforced by the server.</summary>
public sealed class BrowserRoomTests
{
    [Fact]
    public async Task A_room_with_a_whisper_and_a_kick()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        var carol = await browser.OpenAsync(server.HttpBase, "carol");
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");
        await carol.CreateProfileAsync("Carol");

        await alice.ById("new-room").ClickAsync();
        await alice.ScreenshotAsync("08-new-room");
        var link = await alice.CreateRoomAsync();
        await bob.JoinRoomAsync(link, "Bob");
        await carol.JoinRoomAsync(link, "Carol");
        await Assertions.Expect(alice.Page.GetByTestId("member")).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        await Assertions.Expect(alice.Page.GetByTestId("member").Filter(new() { HasText = "Carol" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await alice.ScreenshotAsync("09-room-members");

        // Moderator controls: Bob becomes a moderator, the room is locked, a latecomer is refused.
        await alice.Page.GetByTestId("member").Filter(new() { HasText = "Bob" }).GetByRole(AriaRole.Button, new() { Name = "Make moderator" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("member").Filter(new() { HasText = "Bob" })).ToContainTextAsync("moderator", new() { Timeout = 20_000 });
        await alice.ById("lock").ClickAsync();
        await Assertions.Expect(alice.ById("lock")).ToHaveTextAsync("Unlock room", new() { Timeout = 20_000 });
        var dave = await browser.OpenAsync(server.HttpBase, "dave");
        await dave.CreateProfileAsync("Dave");
        await dave.JoinRoomAsync(link, expectJoined: false);
        await Assertions.Expect(dave.ById("error")).ToContainTextAsync("ROOM_LOCKED", new() { Timeout = 20_000 });
        await alice.ById("lock").ClickAsync();
        await Assertions.Expect(alice.ById("lock")).ToHaveTextAsync("Lock room", new() { Timeout = 20_000 });
        await alice.Page.GetByText("Back to the room").ClickAsync();

        await alice.SendAsync("/topic Garden club");
        await bob.ExpectMessageAsync("Topic: Garden club");
        await alice.SendAsync("welcome, both of you");
        await bob.ExpectMessageAsync("welcome, both of you");
        await carol.ExpectMessageAsync("welcome, both of you");

        // A whisper reaches Bob alone.
        await alice.SendAsync("/purr Bob the key is under the mat");
        await bob.ExpectMessageAsync("the key is under the mat");
        await Assertions.Expect(bob.Page.Locator(".message.whisper")).ToHaveCountAsync(1);
        await carol.SendAsync("did I miss anything?");
        await alice.ExpectMessageAsync("did I miss anything?");
        await Assertions.Expect(carol.Page.GetByTestId("message").Filter(new() { HasText = "under the mat" })).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("10-room-chat");

        // A kick: the server removes Carol at once, the key rotates, and she reads nothing after.
        await alice.SendAsync("/kick Carol");
        await carol.ExpectMessageAsync("You were removed from the room.");
        await Assertions.Expect(carol.ById("composer")).ToBeDisabledAsync();
        await bob.ExpectMessageAsync("Carol was removed");
        await alice.SendAsync("now that Carol is gone");
        await bob.ExpectMessageAsync("now that Carol is gone");
        await Task.Delay(500);
        await Assertions.Expect(carol.Page.GetByTestId("message").Filter(new() { HasText = "now that Carol is gone" })).ToHaveCountAsync(0);

        // /exit says goodbye; /stop ends the room for everyone left.
        await bob.SendAsync("/exit see you");
        await alice.ExpectMessageAsync("Bob left: see you");
        await alice.SendAsync("/stop");
        await alice.ExpectMessageAsync("You ended the room.");
        await Assertions.Expect(alice.ById("composer")).ToBeDisabledAsync();

        foreach (var user in new[] { alice, bob, carol })
        {
            user.AssertOnlyOwnServerContacted();
            user.AssertNoProblems();
        }
    }
}
