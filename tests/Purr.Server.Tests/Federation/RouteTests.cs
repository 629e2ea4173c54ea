using System.Text.Json;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Routes per contact (PROTOCOL.md section 15): by default a profile sends through its own server when that server
/// relays, so a contact's server never gets a connection from this device; "direct" goes straight there; "via-home"
/// never does. Each profile here is on its own server, and each only ever connects to its own.
/// </summary>
public sealed class RouteTests
{
    private static readonly Dictionary<string, string> Federating = new()
    {
        ["Federation:Mode"] = "open",
        ["Federation:AllowPrivateAddresses"] = "true",
    };

    [Fact]
    public async Task Contacts_on_two_federating_servers_talk_each_connecting_only_to_their_own_server()
    {
        await using var first = await RunningServer.StartAsync(settings: Federating);
        await using var second = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(first, "Alice");
        var bob = profiles.Create(second, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");

        await bob.SendTextAsync("alice", "relayed to you");
        Assert.Equal("relayed to you", Assert.Single((await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        await alice.SendTextAsync("bob", "relayed back");
        var atBob = await bob.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("relayed back", Assert.Single(atBob.OfType<TextReceived>()).Text);

        // The card, the contact request, the acceptance, texts and receipts all went through each one's own server.
        Assert.Equal([first.Address.ToString()], alice.ConnectedServers);
        Assert.Equal([second.Address.ToString()], bob.ConnectedServers);

        await alice.SetRouteAsync("bob", RouteChoice.Direct);
        await alice.SendTextAsync("bob", "straight there");
        Assert.Equal("straight there", Assert.Single((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        Assert.Contains(second.Address.ToString(), alice.ConnectedServers);
    }

    [Fact]
    public async Task An_onion_route_of_random_or_named_hops_delivers_and_the_profile_connects_only_to_its_own_server()
    {
        await using var second = await RunningServer.StartAsync(settings: Federating);
        await using var third = await RunningServer.StartAsync(settings: Federating);
        await using var fourth = await RunningServer.StartAsync(settings: Federating);
        var listing = new Dictionary<string, string>(Federating)
        {
            ["Federation:Peers:0:Address"] = second.Address.ToString(),
            ["Federation:Peers:1:Address"] = third.Address.ToString(),
            ["Federation:Peers:2:Address"] = fourth.Address.ToString(),
        };
        await using var first = await RunningServer.StartAsync(settings: listing);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(first, "Alice");
        var bob = profiles.Create(fourth, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");

        // Three servers: Alice's own, then the two others her server's catalog lists (never Bob's own server as a hop).
        await alice.SetRouteAsync("bob", RouteChoice.RandomHops(3));
        Assert.Equal("hops:3", Messenger.RouteOf(alice.Contact("bob")).Name);
        await alice.SendTextAsync("bob", "through three servers");
        Assert.Equal("through three servers", Assert.Single((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);

        await alice.SetRouteAsync("bob", RouteChoice.ThroughServers([third.Address.ToString()]));
        await alice.SendTextAsync("bob", "through a named one");
        Assert.Equal("through a named one", Assert.Single((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        Assert.Equal([first.Address.ToString()], alice.ConnectedServers);

        // More hops than the catalog has servers for: a clear error, nothing sent another way.
        await alice.SetRouteAsync("bob", RouteChoice.RandomHops(5));
        var tooMany = await Assert.ThrowsAsync<MessengerException>(() => alice.SendTextAsync("bob", "five"));
        Assert.Contains("catalog lists 2 server(s)", tooMany.Message, StringComparison.Ordinal);
        Assert.Empty((await bob.ReceiveAsync(TimeSpan.FromSeconds(1))).OfType<TextReceived>());
        Assert.Equal([first.Address.ToString()], alice.ConnectedServers);
    }

    [Fact]
    public async Task Auto_goes_directly_when_the_home_server_does_not_relay_and_via_home_then_refuses_to_send()
    {
        await using var home = await RunningServer.StartAsync();
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var carol = profiles.Create(home, "Carol");
        var dave = profiles.Create(other, "Dave");
        await TestProfiles.ConnectAsync(carol, "dave", dave, "carol");

        await carol.SendTextAsync("dave", "directly, since my server does not relay");
        Assert.Single((await dave.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>());
        Assert.Contains(other.Address.ToString(), carol.ConnectedServers);

        await carol.SetRouteAsync("dave", RouteChoice.ViaHome);
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => carol.SendTextAsync("dave", "never directly"));
        Assert.Equal(ErrorCode.PeerRefused, refused.Code);
        Assert.Empty((await dave.ReceiveAsync(TimeSpan.FromSeconds(1))).OfType<TextReceived>());
    }

    [Fact]
    public async Task Auto_goes_directly_while_the_home_server_is_down_and_via_home_then_fails()
    {
        var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var erin = profiles.Create(home, "Erin");
        var frank = profiles.Create(other, "Frank");
        await TestProfiles.ConnectAsync(erin, "frank", frank, "erin");
        await home.DisposeAsync();

        // Frank's receipt cannot reach Erin's server: he still gets the text (a failed receipt used to lose it).
        await erin.SendTextAsync("frank", "my server is down");
        Assert.Equal("my server is down", Assert.Single((await frank.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);

        await erin.SetRouteAsync("frank", RouteChoice.ViaHome);
        await Assert.ThrowsAsync<PurrConnectionException>(() => erin.SendTextAsync("frank", "only through my server"));
    }

    [Fact]
    public async Task The_cli_shows_and_sets_a_contacts_route()
    {
        await using var server = await RunningServer.StartAsync(settings: Federating);
        using var aliceDir = new TemporaryDirectory();
        using var bobDir = new TemporaryDirectory();
        var (alice, bob) = (aliceDir.Path, bobDir.Path);
        var address = server.Address.ToString();
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", address, "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", address, "--display-name", "Bob");
        var card = Path.Combine(alice, "card.txt");
        await PurrTool.RunAsync(0, "--profile", alice, "invite", "--name", "bob", "--out", card);
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");

        Assert.Contains("bob: auto", await PurrTool.RunAsync(0, "--profile", alice, "route", "bob"), StringComparison.Ordinal);
        Assert.Contains("bob: via-home", await PurrTool.RunAsync(0, "--profile", alice, "route", "bob", "--via-home"), StringComparison.Ordinal);
        Assert.Contains("route via-home", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
        var json = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "contacts")).RootElement;
        Assert.Equal("via-home", json.GetProperty("contacts")[0].GetProperty("route").GetString());
        Assert.Contains("choose one of", await PurrTool.RunAsync(2, "--profile", alice, "route", "bob", "--direct", "--auto"), StringComparison.Ordinal);
        Assert.Contains("bob: hops:3", await PurrTool.RunAsync(0, "--profile", alice, "route", "bob", "--hops", "3"), StringComparison.Ordinal);
        Assert.Contains($"bob: through:{address}", await PurrTool.RunAsync(0, "--profile", alice, "route", "bob", "--through", address), StringComparison.Ordinal);
        Assert.Contains("1 to 5", await PurrTool.RunAsync(1, "--profile", alice, "route", "bob", "--hops", "6"), StringComparison.Ordinal);
        Assert.Contains("not a server address", await PurrTool.RunAsync(1, "--profile", alice, "route", "bob", "--through", "nowhere"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", alice, "route", "bob", "--via-home");
        Assert.Contains("no contact named", await PurrTool.RunAsync(1, "--profile", alice, "route", "nobody"), StringComparison.Ordinal);

        // Their mailboxes share the one server: a send to it needs no relay, whatever the route.
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "same server");
        Assert.Contains("same server", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
    }
}
