using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// A browser linked as one more device of a terminal's profile (PROTOCOL.md 10.10): the code on both screens, the
/// contacts arriving, a contact's messages reaching both, sent texts mirrored both ways, and a revocation.
/// </summary>
public sealed class BrowserLinkedDeviceTests
{
    [Fact]
    public async Task A_browser_joins_a_terminals_profile_talks_mirrors_and_is_revoked()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var phone = Path.Combine(home.Path, "phone");
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", phone, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        var card = System.Text.Json.JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", bob, "receive");
        var room = System.Text.Json.JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", room.GetProperty("link").GetString()!, "--as", "Bob", "--name", "garden");

        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await using (var linker = await DeviceLinking.LinkProcess.StartAsync(phone, home.Path, "--name", "browser", "--this-name", "phone"))
        {
            await alice.ById("join-link").FillAsync(linker.Link);
            await alice.ById("join-name").FillAsync("browser");
            await alice.ById("join-passphrase").FillAsync("browser passphrase");
            await alice.ById("join-device").ClickAsync();
            var code = await linker.CodeAsync();
            await Assertions.Expect(alice.ById("link-code")).ToContainTextAsync(code, new() { Timeout = 20_000 });
            var (exit, output) = await linker.AnswerAsync("y");
            Assert.True(exit == 0, output);
            Assert.Contains("linked browser", output, StringComparison.Ordinal);
        }

        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("link-code")).ToHaveCountAsync(0);
        // The browser joined the phone's room as a member of its own.
        await alice.OpenConversationAsync("garden");
        await alice.SendAsync("the browser is in the garden");
        Assert.Contains("the browser is in the garden", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("alice now uses 2 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);

        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "hello browser and phone");
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("hello browser and phone");
        Assert.Contains("bob: hello browser and phone", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);

        await alice.SendAsync("written in the browser");
        Assert.Contains("alice: written in the browser", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("you → bob (from another device): written in the browser", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", phone, "send", "bob", "written on the phone");
        await alice.ExpectMessageAsync("written on the phone");
        Assert.Contains("alice: written on the phone", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);

        // Rooms joined later on either side reach the other: the phone joins Bob's park, the browser makes a picnic.
        var park = System.Text.Json.JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "room", "create", "--persistent", "--name", "park")).RootElement;
        await PurrTool.RunAsync(0, "--profile", phone, "room", "join", park.GetProperty("link").GetString()!, "--as", "Alice", "--name", "park");
        await alice.OpenConversationAsync("park");
        await alice.SendAsync("the browser found the park");
        Assert.Contains("the browser found the park", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "park", "--wait", "10"), StringComparison.Ordinal);
        await alice.CreateRoomAsync(persistent: true, title: "picnic");
        Assert.Contains("joined the room picnic, as your other device did", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);

        Assert.Contains("revoked browser", await PurrTool.RunAsync(0, "--profile", phone, "devices", "revoke", "browser"), StringComparison.Ordinal);
        Assert.Contains("alice now uses 1 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "after the browser was revoked");
        Assert.Contains("after the browser was revoked", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        await Assertions.Expect(alice.Page.GetByText("This browser was removed from your devices")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "after the browser was revoked" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Three_devices_two_terminals_and_a_browser_and_a_contact_on_two_every_message_everywhere()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var phone = Path.Combine(home.Path, "phone");
        var laptop = Path.Combine(home.Path, "laptop");
        var bob = Path.Combine(home.Path, "bob");
        var bobTablet = Path.Combine(home.Path, "bob-tablet");
        await PurrTool.RunAsync(0, "--profile", phone, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        var card = System.Text.Json.JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", bob, "receive");

        // Alice: phone, laptop (terminals) and a browser; Bob: two terminals.
        await DeviceLinking.LinkAndJoinAsync(phone, laptop, home.Path, answer: "y", "--name", "laptop", "--this-name", "phone");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await using (var linker = await DeviceLinking.LinkProcess.StartAsync(laptop, home.Path, "--name", "browser"))
        {
            await alice.ById("join-link").FillAsync(linker.Link);
            await alice.ById("join-passphrase").FillAsync("browser passphrase");
            await alice.ById("join-device").ClickAsync();
            await Assertions.Expect(alice.ById("link-code")).ToContainTextAsync(await linker.CodeAsync(), new() { Timeout = 20_000 });
            var (exit, output) = await linker.AnswerAsync("y");
            Assert.True(exit == 0, output);
        }

        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await DeviceLinking.LinkAndJoinAsync(bob, bobTablet, home.Path, answer: "y", "--name", "tablet", "--this-name", "desk");
        // Everyone takes the others' lists and offers (the phone learns of the browser from the laptop).
        foreach (var profile in new[] { phone, laptop, bob, bobTablet, phone, laptop })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "receive", "--wait", "2");
        }

        Assert.Equal(3, System.Text.Json.JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "devices", "list")).RootElement.GetArrayLength());
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "from bob's desk");
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("from bob's desk");
        foreach (var device in new[] { phone, laptop })
        {
            Assert.Contains("bob: from bob's desk", await PurrTool.RunAsync(0, "--profile", device, "receive", "--wait", "10"), StringComparison.Ordinal);
        }

        Assert.Contains("you → alice (from another device): from bob's desk", await PurrTool.RunAsync(0, "--profile", bobTablet, "receive", "--wait", "10"), StringComparison.Ordinal);
        await alice.SendAsync("from alice's browser");
        foreach (var device in new[] { bob, bobTablet })
        {
            Assert.Contains("alice: from alice's browser", await PurrTool.RunAsync(0, "--profile", device, "receive", "--wait", "10"), StringComparison.Ordinal);
        }

        foreach (var device in new[] { phone, laptop })
        {
            Assert.Contains("you → bob (from another device): from alice's browser", await PurrTool.RunAsync(0, "--profile", device, "receive", "--wait", "10"), StringComparison.Ordinal);
        }

        await PurrTool.RunAsync(0, "--profile", bobTablet, "send", "alice", "from bob's tablet");
        await alice.ExpectMessageAsync("from bob's tablet");
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "from alice's laptop");
        await alice.ExpectMessageAsync("from alice's laptop");
        foreach (var device in new[] { bob, bobTablet })
        {
            Assert.Contains("alice: from alice's laptop", await PurrTool.RunAsync(0, "--profile", device, "receive", "--wait", "10"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_browser_links_a_terminal_with_the_code_and_removes_it_again()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var laptop = Path.Combine(home.Path, "laptop");
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var card = await alice.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");

        await alice.ById("devices").ClickAsync();
        await alice.ById("new-device-name").FillAsync("laptop");
        await alice.ById("offer-link").ClickAsync();
        var link = await alice.ById("device-link").InputValueAsync();
        Assert.StartsWith("purr:link/", link, StringComparison.Ordinal);
        var join = PurrTool.RunAsync(0, "--profile", laptop, "devices", "join", link, "--name", "laptop", "--wait", "1");
        var code = await alice.ById("device-link-code").TextContentAsync(new() { Timeout = 30_000 });
        await alice.ById("link-confirm").ClickAsync();
        var joined = await join;
        Assert.Contains($"Code: {code}", joined, StringComparison.Ordinal);
        Assert.Contains("1 contact(s)", joined, StringComparison.Ordinal);
        await Assertions.Expect(alice.ById("device-linked")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("device")).ToHaveCountAsync(2);

        Assert.Contains("alice now uses 2 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "2");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "to the browser and the laptop");
        Assert.Contains("bob: to the browser and the laptop", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "10"), StringComparison.Ordinal);
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("to the browser and the laptop");
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "typed on the laptop");
        await alice.ExpectMessageAsync("typed on the laptop");
        Assert.Contains("alice: typed on the laptop", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);

        await alice.ById("devices").ClickAsync();
        await alice.ById("remove-device").ClickAsync();
        await alice.ById("remove-device").ClickAsync();
        await Assertions.Expect(alice.ById("device")).ToHaveCountAsync(1);
        Assert.Contains("alice now uses 1 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("this device was revoked from another of your devices", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "10"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_browsers_of_one_person_a_chat_read_on_one_is_read_on_the_other()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        await using var browser = await Browser.LaunchAsync();
        var first = await browser.OpenAsync(server.HttpBase, "alice-desk");
        await first.CreateProfileAsync("Alice");
        var card = await first.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await Assertions.Expect(first.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");

        await first.ById("devices").ClickAsync();
        await first.ById("new-device-name").FillAsync("phone");
        await first.ById("offer-link").ClickAsync();
        var second = await browser.OpenAsync(server.HttpBase, "alice-phone");
        await second.ById("join-link").FillAsync(await first.ById("device-link").InputValueAsync());
        await second.ById("join-name").FillAsync("phone");
        await second.ById("join-passphrase").FillAsync("phone passphrase");
        await second.ById("join-device").ClickAsync();
        var code = await first.ById("device-link-code").TextContentAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(second.ById("link-code")).ToContainTextAsync(code!);
        await first.ById("link-confirm").ClickAsync();
        await Assertions.Expect(first.ById("device-linked")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(second.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });

        Assert.Contains("alice now uses 2 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "read me once");
        foreach (var alice in new[] { first, second })
        {
            await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" }).GetByTestId("unread")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        }

        await first.OpenConversationAsync("Bob");
        await first.ExpectMessageAsync("read me once");
        await Assertions.Expect(second.Page.Locator("nav .item", new() { HasText = "Bob" }).GetByTestId("unread")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await second.OpenConversationAsync("Bob");
        await second.SendAsync("answered from the phone");
        Assert.Contains("alice: answered from the phone", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await first.ExpectMessageAsync("answered from the phone");
    }
}
