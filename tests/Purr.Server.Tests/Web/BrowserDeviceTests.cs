using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// A browser whose contact uses two terminals (PROTOCOL.md 10.10): the browser takes the contact's device list, starts a
/// session with the new device, seals every message for both, and stops at a revocation.
/// </summary>
public sealed class BrowserDeviceTests
{
    [Fact]
    public async Task A_browser_reaches_every_device_of_a_contact_and_follows_a_revocation()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var phone = Path.Combine(home.Path, "phone");
        var laptop = Path.Combine(home.Path, "laptop");
        await PurrTool.RunAsync(0, "--profile", phone, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await using var browser = await Browser.LaunchAsync();
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await bob.CreateProfileAsync("Bob");
        var card = await bob.InviteAsync("Alice");
        await PurrTool.RunAsync(0, "--profile", phone, "accept", card, "--name", "bob");
        await Assertions.Expect(bob.Page.Locator("nav .item", new() { HasText = "Alice" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10");
        await bob.OpenConversationAsync("Alice");
        await bob.SendAsync("before the laptop");
        Assert.Contains("before the laptop", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);

        await DeviceLinking.LinkAndJoinAsync(phone, laptop, home.Path, answer: "y", "--name", "laptop", "--this-name", "phone");
        await bob.ExpectMessageAsync("Alice now uses 2 devices");
        // The browser's session offer reaches the laptop; its history came with the link only on request.
        await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "3");

        await bob.SendAsync("to both of your devices");
        Assert.Contains("bob: to both of your devices", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("bob: to both of your devices", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "typed on the laptop");
        await bob.ExpectMessageAsync("typed on the laptop");
        await PurrTool.RunAsync(0, "--profile", phone, "send", "bob", "typed on the phone");
        await bob.ExpectMessageAsync("typed on the phone");
        Assert.Contains("you → bob (from another device): typed on the laptop", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);

        Assert.Contains("revoked laptop", await PurrTool.RunAsync(0, "--profile", phone, "devices", "revoke", "laptop"), StringComparison.Ordinal);
        await bob.ExpectMessageAsync("Alice now uses 1 device");
        await bob.SendAsync("only for the phone");
        Assert.Contains("only for the phone", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.DoesNotContain("only for the phone", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "2"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "the revoked laptop again");
        await PurrTool.RunAsync(0, "--profile", phone, "send", "bob", "the phone still talks");
        await bob.ExpectMessageAsync("the phone still talks");
        await Assertions.Expect(bob.Page.GetByTestId("message").Filter(new() { HasText = "the revoked laptop again" })).ToHaveCountAsync(0);
    }
}
