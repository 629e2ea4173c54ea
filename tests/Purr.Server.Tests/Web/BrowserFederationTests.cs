using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// A browser served by server A chats with `purr` CLI users whose mailboxes are on server B (issue 11): the browser's
/// sends to B are relayed by A (PROTOCOL.md section 15), and every request the page makes goes to A.
/// </summary>
public sealed class BrowserFederationTests
{
    private static readonly Dictionary<string, string> Federating = new()
    {
        ["Federation:Mode"] = "open",
        ["Federation:AllowPrivateAddresses"] = "true",
    };

    [Fact]
    public async Task A_browser_on_server_A_chats_both_ways_with_cli_users_on_server_B()
    {
        await using var a = await RunningServer.StartAsync(settings: Federating);
        await using var b = await RunningServer.StartAsync(settings: Federating);
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        var carol = Path.Combine(home.Path, "carol");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", b.Address.ToString(), "--display-name", "Bob on B");
        await PurrTool.RunAsync(0, "--profile", carol, "init", "--server", b.Address.ToString(), "--display-name", "Carol on B");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(a.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");

        // The browser's card (its mailbox on A), accepted by Bob on B: Bob's inbox for Alice is on B.
        var link = await alice.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob on B" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");
        await alice.OpenConversationAsync("Bob on B");
        await alice.SendAsync("hello B, from a browser on A");
        var atBob = await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json");
        Assert.Contains(JsonDocument.Parse(atBob).RootElement.EnumerateArray(), e => e.GetProperty("type").GetString() == "text"
            && e.GetProperty("text").GetString() == "hello B, from a browser on A");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "hello A, from B");
        await alice.ExpectMessageAsync("hello A, from B");
        await alice.Page.WaitForSelectorAsync("[data-testid=delivered]", new() { Timeout = 20_000 });

        // Carol's card (its mailbox on B), accepted in the browser: the contact request goes to B through A.
        var invite = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", carol, "--json", "invite", "--name", "alice")).RootElement;
        await alice.AcceptAsync(invite.GetProperty("link").GetString()!);
        await PurrTool.RunAsync(0, "--profile", carol, "receive", "--wait", "10");
        await alice.ExpectMessageAsync("Carol on B is now a contact");
        await alice.SendAsync("hi Carol, through my server");
        Assert.Contains("hi Carol, through my server", await PurrTool.RunAsync(0, "--profile", carol, "receive", "--wait", "10"), StringComparison.Ordinal);

        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task A_browser_on_server_A_joins_and_talks_in_a_room_on_server_B_through_A()
    {
        await using var a = await RunningServer.StartAsync(settings: Federating);
        await using var b = await RunningServer.StartAsync(settings: Federating);
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", b.Address.ToString(), "--display-name", "Bob on B");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(a.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");

        // A persistent room on B, made in the terminal: the browser's member mailbox for it is on B too, reached through A.
        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "room", "create", "--persistent", "--name", "den")).RootElement;
        await alice.JoinRoomAsync(created.GetProperty("link").GetString()!);
        await alice.SendAsync("hello B's room, from a browser on A");
        Assert.Contains("hello B's room, from a browser on A", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "den", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "den", "welcome, Alice, from B");
        await alice.ExpectMessageAsync("welcome, Alice, from B");

        // B sees the browser only inside A's link (one relayed connection), never a connection of its own.
        Assert.True(b.Services.GetRequiredService<Purr.Server.Federation.TunnelEndpoint>().Serving >= 1);
        Assert.True(a.Services.GetRequiredService<Purr.Server.Federation.TunnelProxy>().Carrying >= 1);

        // After a reload the page follows the room on B again, through A.
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "den", "still there after your reload");
        await alice.OpenConversationAsync("den");
        await alice.ExpectMessageAsync("still there after your reload");

        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task A_browser_sends_to_a_contact_on_another_server_by_an_onion_route_of_three_servers()
    {
        // A lists B and C in its catalog; Bob's mailboxes are on D. A three-server route is A, then B and C in a random order.
        await using var b = await RunningServer.StartAsync(settings: Federating);
        await using var c = await RunningServer.StartAsync(settings: Federating);
        await using var d = await RunningServer.StartAsync(settings: Federating);
        var listing = new Dictionary<string, string>(Federating)
        {
            ["Federation:Peers:0:Address"] = b.Address.ToString(),
            ["Federation:Peers:1:Address"] = c.Address.ToString(),
            ["Federation:Peers:2:Address"] = d.Address.ToString(),
            ["Federation:Peers:2:Relays"] = "false",
        };
        await using var a = await RunningServer.StartAsync(settings: listing);
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", d.Address.ToString(), "--display-name", "Bob on D");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(a.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var invite = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "invite", "--name", "alice")).RootElement;
        await alice.AcceptAsync(invite.GetProperty("link").GetString()!);
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");

        await alice.ById("route").SelectOptionAsync("hops:3");
        await alice.SendAsync("through three servers, from a browser");
        Assert.Contains("through three servers, from a browser", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);

        // A peeled the first layer; B and C between them passed one on and acted as the exit; D only got the send.
        var counters = (RunningServer s) => s.Services.GetRequiredService<Purr.Server.Federation.FederationCounters>();
        Assert.True(counters(a).OnionForwarded >= 1);
        Assert.True(counters(b).OnionForwarded + counters(c).OnionForwarded >= 1);
        Assert.True(counters(b).OnionExited + counters(c).OnionExited >= 1);
        Assert.Equal(0, counters(d).OnionForwarded + counters(d).OnionExited);

        // The choice stays with the contact (after a reload too); a route longer than the catalog allows says why.
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await alice.OpenConversationAsync("Bob on D");
        await Assertions.Expect(alice.ById("route")).ToHaveValueAsync("hops:3");
        await alice.ById("route").SelectOptionAsync("hops:4");
        await alice.ById("composer").FillAsync("four is too many here");
        await alice.ById("send").ClickAsync();
        await Assertions.Expect(alice.Page.GetByText("catalog lists 2 server(s)", new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 20_000 });

        // Named servers instead (purr route --through): C alone, so the route is A, C, then D.
        var exitedAtC = counters(c).OnionExited;
        var usedB = counters(b).OnionForwarded + counters(b).OnionExited;
        await alice.ById("route").SelectOptionAsync("through");
        await alice.ById("route-through").FillAsync(c.Address.ToString());
        await alice.ById("route-through").PressAsync("Tab");
        await alice.SendAsync("through a server I named");
        Assert.Contains("through a server I named", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.True(counters(c).OnionExited > exitedAtC);
        Assert.Equal(usedB, counters(b).OnionForwarded + counters(b).OnionExited);

        alice.AssertOnlyOwnServerContacted();
    }

    [Fact]
    public async Task A_browser_whose_server_does_not_relay_says_so_when_it_writes_to_another_server()
    {
        await using var a = await RunningServer.StartAsync();
        await using var b = await RunningServer.StartAsync(settings: Federating);
        using var home = new TemporaryDirectory();
        var carol = Path.Combine(home.Path, "carol");
        await PurrTool.RunAsync(0, "--profile", carol, "init", "--server", b.Address.ToString(), "--display-name", "Carol on B");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(a.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var invite = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", carol, "--json", "invite", "--name", "alice")).RootElement;
        await alice.ById("accept").ClickAsync();
        await alice.ById("card-input").FillAsync(invite.GetProperty("link").GetString()!);
        await alice.ById("accept-card").ClickAsync();
        await Assertions.Expect(alice.Page.GetByText("this server does not relay there", new() { Exact = false })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        alice.AssertOnlyOwnServerContacted();
    }
}
