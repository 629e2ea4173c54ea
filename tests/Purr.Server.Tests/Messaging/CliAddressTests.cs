using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>Contact addresses and room bans from the terminal, as separate `purr` processes against a real server.</summary>
public sealed class CliAddressTests
{
    [Fact]
    public async Task An_address_takes_requests_that_are_listed_accepted_and_rejected_with_the_cli()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (shop, bob, carol) = (Path.Combine(home.Path, "shop"), Path.Combine(home.Path, "bob"), Path.Combine(home.Path, "carol"));
        foreach (var (profile, name) in new[] { (shop, "Shop"), (bob, "Bob"), (carol, "Carol") })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "init", "--server", server.Address.ToString(), "--display-name", name);
        }

        var created = await PurrTool.RunAsync(0, "--profile", shop, "--json", "address", "create");
        var link = JsonDocument.Parse(created).RootElement.GetProperty("address").GetString()!;
        Assert.StartsWith("purr:address/", link, StringComparison.Ordinal);
        Assert.Contains(link, await PurrTool.RunAsync(0, "--profile", shop, "address", "show"), StringComparison.Ordinal);
        Assert.Contains("already", await PurrTool.RunAsync(1, "--profile", shop, "address", "create"), StringComparison.Ordinal);

        await PurrTool.RunAsync(0, "--profile", bob, "connect", link, "--name", "shop", "--message", "open on Sunday?");
        await PurrTool.RunAsync(0, "--profile", carol, "connect", link, "--name", "shop");
        Assert.Contains("request sent through their address", await PurrTool.RunAsync(0, "--profile", bob, "contacts"), StringComparison.Ordinal);
        var received = await PurrTool.RunAsync(0, "--profile", shop, "receive", "--wait", "10");
        Assert.Contains("contact request", received, StringComparison.Ordinal);
        Assert.Contains("open on Sunday?", received, StringComparison.Ordinal);

        var requests = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", shop, "--json", "requests")).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, requests.Count);
        var fromBob = requests.Single(r => r.GetProperty("displayName").GetString() == "Bob").GetProperty("id").GetString()!;
        var fromCarol = requests.Single(r => r.GetProperty("displayName").GetString() == "Carol").GetProperty("id").GetString()!;
        Assert.Contains("'bob' is a contact", await PurrTool.RunAsync(0, "--profile", shop, "requests", "accept", fromBob), StringComparison.Ordinal);
        Assert.Contains("drops their further requests", await PurrTool.RunAsync(0, "--profile", shop, "requests", "reject", fromCarol, "--block"), StringComparison.Ordinal);
        Assert.Contains("no waiting requests", await PurrTool.RunAsync(0, "--profile", shop, "requests"), StringComparison.Ordinal);

        // Blocked: Carol's next request looks sent to her and never reaches the shop.
        await PurrTool.RunAsync(0, "--profile", carol, "connect", link, "--name", "shop-again");
        await PurrTool.RunAsync(0, "--profile", shop, "receive", "--wait", "1");
        Assert.Contains("no waiting requests", await PurrTool.RunAsync(0, "--profile", shop, "requests"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", shop, "address", "unblock-all");
        Assert.Contains("no waiting request", await PurrTool.RunAsync(1, "--profile", shop, "requests", "accept", fromCarol), StringComparison.Ordinal);

        Assert.Contains("\"type\":\"contact\"", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "shop", "see you Sunday");
        Assert.Contains("see you Sunday", await PurrTool.RunAsync(0, "--profile", shop, "receive", "--wait", "10"), StringComparison.Ordinal);

        // Revoked: the server refuses the old link, with a clear error and nothing saved.
        await PurrTool.RunAsync(0, "--profile", shop, "address", "revoke");
        Assert.Contains("revoked", await PurrTool.RunAsync(1, "--profile", carol, "connect", link, "--name", "shop2"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kick_with_ban_changes_the_link_for_every_member_and_keeps_the_profile_out_with_the_cli()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob, mallory) = (Path.Combine(home.Path, "alice"), Path.Combine(home.Path, "bob"), Path.Combine(home.Path, "mallory"));
        foreach (var profile in new[] { alice, bob, mallory })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "init", "--server", server.Address.ToString());
        }

        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        var oldLink = created.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", oldLink, "--as", "Bob");
        await PurrTool.RunAsync(0, "--profile", mallory, "room", "join", oldLink, "--as", "Mallory");

        Assert.Contains("banned", await PurrTool.RunAsync(0, "--profile", alice, "room", "kick", "garden", "Mallory", "--ban"), StringComparison.Ordinal);
        var newLink = (await PurrTool.RunAsync(0, "--profile", alice, "room", "link", "garden")).Trim();
        Assert.NotEqual(oldLink, newLink);
        Assert.Contains("1 banned", await PurrTool.RunAsync(0, "--profile", alice, "room", "members", "garden"), StringComparison.Ordinal);

        // Bob's client learns the new link from the key update waiting in his room mailbox.
        await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "2");
        Assert.Equal(newLink, (await PurrTool.RunAsync(0, "--profile", bob, "room", "link", "garden")).Trim());

        // Mallory's old link is refused; with the new one her profile is.
        await PurrTool.RunAsync(1, "--profile", mallory, "room", "join", oldLink, "--as", "Mallory", "--name", "again");
        Assert.Contains("banned", await PurrTool.RunAsync(1, "--profile", mallory, "room", "join", newLink, "--as", "Mallory", "--name", "again"), StringComparison.Ordinal);

        await PurrTool.RunAsync(0, "--profile", alice, "room", "clear-bans", "garden");
        await PurrTool.RunAsync(0, "--profile", mallory, "room", "join", newLink, "--as", "Mallory", "--name", "again");
    }
}

/// <summary>Presence from the terminal: `purr presence set`, and `purr contacts` showing who is online now.</summary>
public sealed class CliPresenceTests
{
    [Fact]
    public async Task Contacts_shows_a_running_contact_online_with_its_text_and_a_stopped_one_offline()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        var card = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        var bob = profiles.Create(server, "Bob");
        await bob.AcceptAsync(card, "alice", "Bob");
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "5");
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("online", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);

        Assert.Contains("you are online", await PurrTool.RunAsync(0, "--profile", alice, "presence", "set", "online"), StringComparison.Ordinal);
        await bob.SetPresenceAsync(Protocol.V1.PresenceStatus.Busy, "at the dentist");
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "2");

        using var running = new CancellationTokenSource();
        var listening = bob.ListenAsync(_ => false, null, running.Token);
        await Task.Delay(500);
        Assert.Contains("busy (at the dentist)", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
        await running.CancelAsync();
        try
        {
            await listening;
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Contains("offline", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
        Assert.Contains("online, away or busy", await PurrTool.RunAsync(2, "--profile", alice, "presence", "set", "sleeping"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", alice, "presence", "off");
        Assert.DoesNotContain("offline", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
    }
}
