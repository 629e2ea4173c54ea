using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>Two people, each in their own browser context, exchange a card and chat, as a newcomer would.</summary>
public sealed class BrowserChatTests
{
    [Fact]
    public async Task Two_browsers_exchange_a_card_and_chat()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");

        await Assertions.Expect(alice.ById("create-screen")).ToBeVisibleAsync();
        await alice.ScreenshotAsync("01-create-profile");
        await alice.CreateProfileAsync("Alice");
        await alice.ScreenshotAsync("02-home");
        await bob.CreateProfileAsync("Bob");

        var link = await alice.InviteAsync("Bob");
        await alice.ScreenshotAsync("03-invite-card");
        await bob.AcceptAsync(link);
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await bob.ExpectMessageAsync("Alice is now a contact");

        await alice.OpenConversationAsync("Bob");
        await alice.SendAsync("Hello **Bob**, see `code` and https://example.org/page");
        await bob.OpenConversationAsync("Alice");
        await bob.ExpectMessageAsync("Hello Bob");
        await Assertions.Expect(bob.Page.Locator(".message strong", new() { HasText = "Bob" })).ToBeVisibleAsync();
        await alice.Page.WaitForSelectorAsync("[data-testid=delivered]", new() { Timeout = 20_000 });

        // An unread badge while Alice looks elsewhere, gone when she opens the conversation.
        await alice.ById("new-room").ClickAsync();
        await bob.SendAsync("Hi Alice!\n- one\n- two");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" }).GetByTestId("unread")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("Hi Alice!");
        await Assertions.Expect(alice.Page.Locator(".message li", new() { HasText = "two" })).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" }).GetByTestId("unread")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("04-chat");

        // A link shows its real target before it opens.
        await alice.Page.Locator(".message a.link").First.ClickAsync();
        await Assertions.Expect(alice.ById("link-target")).ToHaveTextAsync("https://example.org/page");
        Assert.Equal("noopener noreferrer", await alice.ById("link-open").GetAttributeAsync("rel"));
        await alice.ById("link-cancel").ClickAsync();

        // Both sides see the same safety code.
        await alice.ById("safety-code").ClickAsync();
        var aliceCode = await alice.ById("safety-digits").TextContentAsync();
        await alice.ScreenshotAsync("05-safety-code");
        await alice.ById("mark-verified").ClickAsync();
        await bob.ById("safety-code").ClickAsync();
        Assert.Equal(aliceCode, await bob.ById("safety-digits").TextContentAsync());
        Assert.Matches(@"^(\d{5} ){11}\d{5}$", aliceCode);

        // The profile survives a reload, locked by the passphrase.
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("not the passphrase");
        await alice.ById("unlock").ClickAsync();
        await Assertions.Expect(alice.ById("error")).ToHaveTextAsync("Wrong passphrase.", new() { Timeout = 20_000 });
        await alice.ScreenshotAsync("06-unlock");
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("Hi Alice!");
        await Assertions.Expect(alice.Page.Locator(".verified")).ToBeVisibleAsync();
        await bob.OpenConversationAsync("Alice");
        await bob.SendAsync("after your reload");
        await alice.ExpectMessageAsync("after your reload");

        // Phone-sized and dark.
        await alice.Page.SetViewportSizeAsync(390, 780);
        await alice.ById("theme").ClickAsync();
        await alice.ScreenshotAsync("07-phone-dark-chat");

        alice.AssertOnlyOwnServerContacted();
        bob.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
        bob.AssertNoProblems();
    }
}
