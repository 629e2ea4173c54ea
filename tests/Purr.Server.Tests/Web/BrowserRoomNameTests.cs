using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>Room names and member names across the browser and the CLI: the room's name travels in the link, a member's with its join.</summary>
public sealed class BrowserRoomNameTests
{
    [Fact]
    public async Task Joiners_see_the_rooms_name_and_everyone_sees_joiners_by_name_before_they_speak()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");

        // Moderated: a joiner has no voice, so no hello; its name still comes with the join.
        var link = await alice.CreateRoomAsync(persistent: true, title: "Picnic", moderated: true);
        await alice.Page.GetByText("Back to the room").ClickAsync();
        await Assertions.Expect(alice.ById("conversation-title")).ToHaveTextAsync("Picnic");
        await bob.JoinRoomAsync(link, "Bob", expectJoined: false);
        await Assertions.Expect(bob.ById("conversation-title")).ToHaveTextAsync("Picnic", new() { Timeout = 20_000 });
        await alice.ExpectMessageAsync("Bob joined");

        // The CLI reads the browser's link and profiles, and the browser the CLI's.
        using var home = new TemporaryDirectory();
        var carol = Path.Combine(home.Path, "carol");
        await PurrTool.RunAsync(0, "--profile", carol, "init", "--server", server.Address.ToString());
        Assert.Contains("called 'Picnic'", await PurrTool.RunAsync(0, "--profile", carol, "room", "join", link, "--as", "Carol"), StringComparison.Ordinal);
        await alice.ExpectMessageAsync("Carol joined");
        var members = await PurrTool.RunAsync(0, "--profile", carol, "room", "members", "Picnic");
        Assert.Contains("Alice\towner", members, StringComparison.Ordinal);
        Assert.Contains("Bob\tmember, no voice", members, StringComparison.Ordinal);
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "member " })).ToHaveCountAsync(0);
    }
}
