using Microsoft.Playwright;
using Purr.Client.Messaging;
using Purr.Server.Tests.Messaging;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Contact addresses in the browser, against the C# client on the other side: the browser's address takes a request
/// that it accepts and one it blocks, and the browser asks for contact through a C# address (PROTOCOL.md 10.8).
/// </summary>
public sealed class BrowserAddressTests
{
    [Fact]
    public async Task A_browser_address_takes_requests_and_a_browser_asks_through_a_cli_address()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");

        await alice.ById("address").ClickAsync();
        await alice.ById("create-address").ClickAsync();
        var link = await alice.ById("address-link").InputValueAsync();
        Assert.StartsWith("purr:address/", link, StringComparison.Ordinal);

        // Two C# profiles ask; Alice accepts Bob and rejects Mallory.
        var bob = profiles.Create(server, "Bob");
        var mallory = profiles.Create(server, "Mallory");
        await bob.RequestContactAsync(link, "alice", "Bob", "we met at the market");
        await mallory.RequestContactAsync(link, "alice", "Mallory");
        await Assertions.Expect(alice.ById("request")).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("request-message")).ToContainTextAsync("we met at the market");
        await alice.ById("request").Filter(new() { HasText = "Mallory" }).GetByTestId("block-request").ClickAsync();
        await alice.ExpectCountAsync(alice.ById("request"), 1, "after blocking Mallory");
        await alice.ById("request").Filter(new() { HasText = "Bob" }).GetByTestId("accept-request").ClickAsync();
        await alice.ExpectCountAsync(alice.ById("request"), 0, "after accepting Bob");

        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished { Contact: "alice", DisplayName: "Alice" });
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("Bob is now a contact");
        await bob.SendTextAsync("alice", "hello from the market");
        await alice.ExpectMessageAsync("hello from the market");
        Assert.Empty((await mallory.ReceiveAsync(TimeSpan.FromMilliseconds(500))).OfType<ContactEstablished>());

        // Blocked: Mallory's next request is dropped by the server; Carol's, sent after it, arrives alone.
        await mallory.RequestContactAsync(link, "alice2", "Mallory", "it's me again");
        await profiles.Create(server, "Carol").RequestContactAsync(link, "alice", "Carol");
        await alice.ById("address").ClickAsync();
        await alice.ExpectCountAsync(alice.ById("request"), 1, "after Mallory's blocked request and Carol's");
        await Assertions.Expect(alice.ById("request")).ToContainTextAsync("Carol");
        await alice.ById("request").GetByTestId("reject-request").ClickAsync();

        // The browser asks through a C# address, with a note; the owner accepts; they talk.
        var shop = profiles.Create(server, "Shop");
        var shopAddress = await shop.CreateAddressAsync("Shop");
        await alice.ById("accept").ClickAsync();
        await alice.ById("card-input").FillAsync(shopAddress.Link);
        await alice.ById("request-note").FillAsync("do you sell bread?");
        await alice.ById("accept-card").ClickAsync();
        await Assertions.Expect(alice.ById("request-waiting")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var request = (await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single();
        Assert.Equal(("Alice", "do you sell bread?"), (request.DisplayName, request.Message));
        await shop.AcceptRequestAsync(request.RequestId, "alice");
        await alice.OpenConversationAsync("Shop");
        await alice.SendAsync("two loaves please");
        Assert.Contains((await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>(), t => t.Text == "two loaves please");

        // Revoked: the server refuses a request through the old link.
        await alice.ById("address").ClickAsync();
        await alice.ById("revoke-address").ClickAsync();
        await Assertions.Expect(alice.ById("create-address")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var refused = await Assert.ThrowsAsync<MessengerException>(() => profiles.Create(server, "Late").RequestContactAsync(link, "alice", "Late"));
        Assert.Contains("revoked", refused.Message, StringComparison.Ordinal);
        Assert.Empty(alice.Problems);
    }

    [Fact]
    public async Task A_request_cancelled_before_it_is_accepted_is_dropped_with_a_word_and_leaves_no_contact()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        await alice.ById("address").ClickAsync();
        await alice.ById("create-address").ClickAsync();
        var link = await alice.ById("address-link").InputValueAsync();

        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await bob.CreateProfileAsync("Bob");
        await bob.ById("accept").ClickAsync();
        await bob.ById("card-input").FillAsync(link);
        await bob.ById("accept-card").ClickAsync();
        await Assertions.Expect(bob.ById("request-waiting")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await alice.ExpectCountAsync(alice.ById("request"), 1, "after Bob's request");

        // Bob cancels (his card's mailbox is deleted); Alice's accept finds nobody there.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel request" }).ClickAsync();
        await Assertions.Expect(bob.ById("request-waiting")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await alice.ById("request").GetByTestId("accept-request").ClickAsync();
        await alice.ExpectCountAsync(alice.ById("request"), 0, "after accepting a cancelled request");
        await Assertions.Expect(alice.Page.Locator(".toast")).ToContainTextAsync("Bob cancelled this request", new() { Timeout = 20_000 });
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToHaveCountAsync(0);
        bob.AssertNoProblems();
    }
}
