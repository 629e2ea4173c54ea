using Microsoft.Playwright;
using Purr.Client.Messaging;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;

namespace Purr.Server.Tests.Web;

/// <summary>Presence between the browser and the C# client, both ways (PROTOCOL.md 10.9): the open page answers and shows.</summary>
public sealed class BrowserPresenceTests
{
    [Fact]
    public async Task A_browser_shows_its_status_to_a_cli_contact_and_shows_the_contacts_status()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");

        // Alice turns presence on from the home screen; a contact made later gets a channel when it offers its own.
        await alice.ById("presence-status").SelectOptionAsync(((int)PresenceStatus.Busy).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await alice.ById("presence-text").FillAsync("in a meeting");
        await alice.ById("set-presence").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast")).ToHaveTextAsync("Status set.", new() { Timeout = 20_000 });
        var link = await alice.InviteAsync("Bob");
        var bob = profiles.Create(server, "Bob");
        await bob.AcceptAsync(link, "alice", "Bob");
        await Assertions.Expect(alice.ById("contact-item")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));

        // Bob turns presence on too; the channels cross in the ratchet.
        await bob.SetPresenceAsync(PresenceStatus.Online, "around");
        await bob.ReceiveAsync(TimeSpan.FromSeconds(5));
        await WaitUntilAsync(async () => (await bob.QueryPresenceAsync(TimeSpan.FromSeconds(2))).TryGetValue("alice", out var p)
            && p.Status == PresenceStatus.Busy && p.Text == "in a meeting");

        // Bob's client runs and says so: the page shows it; when it stops, the page shows offline.
        using var running = new CancellationTokenSource();
        var listening = bob.ListenAsync(_ => false, null, running.Token);
        await bob.AnnouncePresenceAsync();
        await Assertions.Expect(alice.ById("contact-item")).ToContainTextAsync("online: around", new() { Timeout = 20_000 });
        await bob.AnnouncePresenceAsync(offline: true);
        await Assertions.Expect(alice.ById("contact-item")).ToContainTextAsync("offline", new() { Timeout = 20_000 });
        await running.CancelAsync();
        await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        // Off in the page: Bob hears nothing more.
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await alice.ById("presence-status").SelectOptionAsync("off");
        await alice.ById("set-presence").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast")).ToHaveTextAsync("Presence is off.", new() { Timeout = 20_000 });
        // (Turning off says "offline" once, to whoever listens; then nothing answers.)
        var after = await bob.QueryPresenceAsync(TimeSpan.FromSeconds(1));
        Assert.True(!after.TryGetValue("alice", out var last) || last.Status == PresenceStatus.Offline);
        Assert.Empty(await bob.QueryPresenceAsync(TimeSpan.FromSeconds(1)));
        Assert.Empty(alice.Problems);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
        }
    }
}
