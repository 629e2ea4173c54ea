using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>With permission granted and the page in the background, a new message raises a desktop notification that names the sender and never carries the text.</summary>
public sealed class BrowserNotificationTests
{
    [Fact]
    public async Task A_background_page_notifies_who_wrote_but_not_what()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await alice.Context.GrantPermissionsAsync(["notifications"]);
        // Record notifications instead of showing them, and let the test say when the page is hidden.
        await alice.Context.AddInitScriptAsync("""
            window.shown = [];
            window.Notification = class { static permission = "granted"; static requestPermission() { return Promise.resolve("granted"); }
              constructor(title, options) { window.shown.push({ title, body: options && options.body }); } };
            Object.defineProperty(document, "hidden", { get: () => window.pretendHidden === true });
            """);
        await alice.Page.ReloadAsync();
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");
        await bob.AcceptAsync(await alice.InviteAsync("Bob"));
        await bob.ExpectMessageAsync("Alice is now a contact");

        await alice.Page.EvaluateAsync("() => { window.pretendHidden = true; }");
        await bob.SendAsync("the surprise party is on Friday");
        await alice.Page.WaitForFunctionAsync("() => window.shown.some(n => n.body && n.body.includes('Bob'))", null, new() { Timeout = 20_000 });
        var shown = await alice.Page.EvaluateAsync<string>("() => JSON.stringify(window.shown)");
        Assert.Contains("New message from Bob", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("surprise", shown, StringComparison.Ordinal);

        // In the foreground, nothing is raised.
        await alice.Page.EvaluateAsync("() => { window.pretendHidden = false; window.shown = []; }");
        await bob.SendAsync("second message");
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("second message");
        Assert.Equal(0, await alice.Page.EvaluateAsync<int>("() => window.shown.length"));
    }
}
