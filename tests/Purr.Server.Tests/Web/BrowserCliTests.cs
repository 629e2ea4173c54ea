using System.Text.Json;
using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>A browser user and a `purr` CLI user talk, both ways, one to one and in a room: the two implementations interoperate.</summary>
public sealed class BrowserCliTests
{
    [Fact]
    public async Task A_browser_and_the_cli_chat_both_ways_one_to_one()
    {
        await using var world = await TerminalAndBrowser.StartAsync("Bob in a terminal");
        var (server, home, bob, alice) = (world.Server, world.Home, world.Terminal, world.Alice);

        // The browser's card, accepted by the CLI.
        var link = await alice.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob in a terminal" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.Contains("\"type\":\"contact\"", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);

        await alice.OpenConversationAsync("Bob in a terminal");
        await alice.SendAsync("hello terminal, from the browser");
        var atBob = await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json");
        Assert.Contains(JsonDocument.Parse(atBob).RootElement.EnumerateArray(), e => e.GetProperty("type").GetString() == "text"
            && e.GetProperty("text").GetString() == "hello terminal, from the browser");
        await alice.Page.WaitForSelectorAsync("[data-testid=delivered]", new() { Timeout = 20_000 });

        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "hello browser, from the terminal");
        await alice.ExpectMessageAsync("hello browser, from the terminal");

        // The browser's card is post-quantum (PQXDH): both sides say so from the start.
        await Assertions.Expect(alice.ById("post-quantum")).ToHaveTextAsync("post-quantum");
        Assert.True(JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "contacts")).RootElement
            .GetProperty("contacts")[0].GetProperty("postQuantum").GetBoolean());

        // The CLI's classic card, accepted by the browser; both sides compute the same safety code, and the
        // session becomes post-quantum in the ratchet once each side has answered the other.
        var carol = Path.Combine(home.Path, "carol");
        await PurrTool.RunAsync(0, "--profile", carol, "init", "--server", server.Address.ToString(), "--display-name", "Carol");
        var invite = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", carol, "--json", "invite", "--name", "alice", "--classic")).RootElement;
        Assert.False(invite.GetProperty("postQuantum").GetBoolean());
        await alice.AcceptAsync(invite.GetProperty("link").GetString()!);
        await PurrTool.RunAsync(0, "--profile", carol, "receive", "--wait", "10");
        await alice.ExpectMessageAsync("Carol is now a contact");
        await PurrTool.RunAsync(0, "--profile", carol, "send", "alice", "Carol here");
        await alice.ExpectMessageAsync("Carol here");
        await alice.SendAsync("hi Carol");
        Assert.Contains("hi Carol", await PurrTool.RunAsync(0, "--profile", carol, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", carol, "send", "alice", "now post-quantum");
        await alice.ExpectMessageAsync("now post-quantum");
        await Assertions.Expect(alice.ById("post-quantum")).ToHaveTextAsync("post-quantum");
        Assert.Contains("connected, post-quantum", await PurrTool.RunAsync(0, "--profile", carol, "contacts"), StringComparison.Ordinal);
        await alice.ById("safety-code").ClickAsync();
        var code = (await alice.ById("safety-digits").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal);
        Assert.Equal(code, JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", carol, "--json", "verify", "alice")).RootElement.GetProperty("safetyCode").GetString());

        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task A_browser_and_the_cli_share_rooms_both_ways()
    {
        await using var world = await TerminalAndBrowser.StartAsync("Bob");
        var (bob, alice) = (world.Terminal, world.Alice);

        // A persistent room made in the browser, joined from the terminal.
        var link = await alice.CreateRoomAsync(persistent: true);
        Assert.StartsWith("purr:room/", link, StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob", "--name", "garden");
        await Assertions.Expect(alice.Page.GetByTestId("member").Filter(new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await alice.Page.GetByText("Back to the room").ClickAsync();
        await alice.ExpectMessageAsync("Bob joined");

        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "garden", "hello from the terminal");
        await alice.ExpectMessageAsync("hello from the terminal");
        await alice.SendAsync("hello from the browser");
        Assert.Contains("Alice: hello from the browser", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);
        await alice.SendAsync("/purr Bob only for you");
        Assert.Contains("(whispers): only for you", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);

        // A room made in the terminal, joined from the browser.
        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "room", "create", "--persistent", "--name", "den")).RootElement;
        await alice.JoinRoomAsync(created.GetProperty("link").GetString()!);
        await alice.SendAsync("Alice joined your den");
        Assert.Contains("Alice joined your den", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "den", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "den", "welcome, Alice");
        await alice.ExpectMessageAsync("welcome, Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "room", "kick", "den", "Alice");
        await alice.ExpectMessageAsync("You were removed from the room.");
        await Assertions.Expect(alice.ById("composer")).ToBeDisabledAsync();

        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task A_room_stopped_while_the_page_was_closed_shows_as_ended_and_the_page_stays_online()
    {
        await using var world = await TerminalAndBrowser.StartAsync("Bob");
        var (bob, alice) = (world.Terminal, world.Alice);
        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "room", "create", "--persistent", "--name", "den")).RootElement;
        await alice.JoinRoomAsync(created.GetProperty("link").GetString()!);

        await alice.Page.CloseAsync();
        await PurrTool.RunAsync(0, "--profile", bob, "room", "stop", "den");

        var page = await alice.Context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByTestId("unlock-passphrase").FillAsync("correct horse battery");
        await page.GetByTestId("unlock").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("online", new() { Timeout = 20_000 });
        await page.Locator("nav .item", new() { HasText = "ended" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("message").Filter(new() { HasText = "The room no longer exists." })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("composer")).ToBeDisabledAsync();
        await page.GetByTestId("forget-room").ClickAsync();
        await Assertions.Expect(page.Locator("nav .item", new() { HasText = "ended" })).ToHaveCountAsync(0);
    }

    /// <summary>A server, a `purr` profile for Bob in a terminal, and Alice's browser page with a fresh profile.</summary>
    private sealed class TerminalAndBrowser : IAsyncDisposable
    {
        private Browser? browser;

        private TerminalAndBrowser(RunningServer server) => Server = server;

        public RunningServer Server { get; }

        public TemporaryDirectory Home { get; } = new();

        public string Terminal => Path.Combine(Home.Path, "bob");

        public BrowserUser Alice { get; private set; } = null!;

        public static async Task<TerminalAndBrowser> StartAsync(string terminalName)
        {
            var world = new TerminalAndBrowser(await RunningServer.StartAsync());
            await PurrTool.RunAsync(0, "--profile", world.Terminal, "init", "--server", world.Server.Address.ToString(), "--display-name", terminalName);
            world.browser = await Browser.LaunchAsync();
            world.Alice = await world.browser.OpenAsync(world.Server.HttpBase, "alice");
            await world.Alice.CreateProfileAsync("Alice");
            return world;
        }

        public async ValueTask DisposeAsync()
        {
            if (browser is not null)
            {
                await browser.DisposeAsync();
            }

            await Server.DisposeAsync();
            Home.Dispose();
        }
    }
}
