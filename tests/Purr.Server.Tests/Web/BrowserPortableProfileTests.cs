using System.Text.Json;
using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// A profile moved from the browser to the purr tool and back (PROTOCOL.md 9, "Portable profiles"): the contact keeps
/// working at every stop, with nothing asked of the contact, and the history comes along.
/// </summary>
public sealed class BrowserPortableProfileTests
{
    [Fact]
    public async Task A_browser_profile_moves_to_the_cli_and_back_and_the_contact_keeps_working()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        var aliceCli = Path.Combine(home.Path, "alice-cli");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");

        var link = await alice.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");
        await alice.OpenConversationAsync("Bob");
        await alice.SendAsync("written in the browser");
        Assert.Contains("written in the browser", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "hello, browser");
        await alice.ExpectMessageAsync("hello, browser");

        // The browser's export: a download, opened by the purr tool with the same passphrase.
        await alice.ById("export-profile").ClickAsync();
        var download = await alice.Page.RunAndWaitForDownloadAsync(() => alice.ById("download-profile").ClickAsync());
        var fromBrowser = Path.Combine(home.Path, "from-browser.purr");
        await download.SaveAsAsync(fromBrowser);
        await alice.Context.CloseAsync();
        Assert.Contains("wrong passphrase", await PurrTool.RunWithAsync(1, "not the passphrase", "--profile", aliceCli, "import", fromBrowser), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(aliceCli, "profile.purr")), "a refused import leaves no profile");
        var imported = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", aliceCli, "--json", "import", fromBrowser)).RootElement;
        Assert.Equal(1, imported.GetProperty("contacts").GetInt32());
        var history = await PurrTool.RunAsync(0, "--profile", aliceCli, "history", "bob");
        Assert.Contains("written in the browser", history, StringComparison.Ordinal);
        Assert.Contains("hello, browser", history, StringComparison.Ordinal);

        // The terminal carries on the browser's sessions both ways.
        await PurrTool.RunAsync(0, "--profile", aliceCli, "send", "bob", "now from the terminal");
        Assert.Contains("now from the terminal", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "hello, terminal");
        Assert.Contains("hello, terminal", await PurrTool.RunAsync(0, "--profile", aliceCli, "receive", "--wait", "10"), StringComparison.Ordinal);

        // And back to a browser that has never seen this profile.
        var fromCli = Path.Combine(home.Path, "from-cli.purr");
        Assert.Contains("one device only", await PurrTool.RunAsync(0, "--profile", aliceCli, "export", fromCli), StringComparison.Ordinal);
        Assert.Contains("exists", await PurrTool.RunAsync(2, "--profile", aliceCli, "export", fromCli), StringComparison.Ordinal);
        var again = await browser.OpenAsync(server.HttpBase, "alice-again");
        await again.ById("import-file").SetInputFilesAsync(fromCli);
        await again.ById("import-passphrase").FillAsync("wrong passphrase");
        await again.ById("import-profile").ClickAsync();
        await Assertions.Expect(again.ById("import-error")).ToContainTextAsync("Wrong passphrase");
        await again.ById("import-passphrase").FillAsync("correct horse battery");
        await again.ById("import-profile").ClickAsync();
        await Assertions.Expect(again.ById("status")).ToHaveTextAsync("online", new() { Timeout = 20_000 });
        await again.OpenConversationAsync("Bob");
        await again.ExpectMessageAsync("hello, terminal");
        await again.ExpectMessageAsync("written in the browser");
        await again.SendAsync("back in a browser");
        Assert.Contains("back in a browser", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "welcome back");
        await again.ExpectMessageAsync("welcome back");
        again.AssertNoProblems();
    }
}
