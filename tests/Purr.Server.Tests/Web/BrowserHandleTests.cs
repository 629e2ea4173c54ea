using Microsoft.Playwright;
using Purr.Client.Handles;
using Purr.Client.Messaging;
using Purr.Server.Tests.Messaging;

namespace Purr.Server.Tests.Web;

/// <summary>Handles and the directory in the browser: register, list, be found by search and by handle, unlist (PROTOCOL.md 14).</summary>
public sealed class BrowserHandleTests
{
    [Fact]
    public async Task A_browser_registers_a_handle_lists_it_and_is_found_by_handle_and_by_search()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var dave = await browser.OpenAsync(server.HttpBase, "dave");
        await alice.CreateProfileAsync("Alice");
        await dave.CreateProfileAsync("Dave");

        await alice.ById("address").ClickAsync();
        await alice.ById("create-address").ClickAsync();
        await alice.ById("handle-name").FillAsync("alice");
        await alice.ById("register-handle").ClickAsync();
        var handle = $"alice@{server.Address.Host}:{server.Address.Port}";
        await Assertions.Expect(alice.ById("my-handle")).ToHaveTextAsync(handle, new() { Timeout = 20_000 });
        await alice.ById("listing-description").FillAsync("Gardening on Sundays");
        await alice.ById("listing-free-hours").FillAsync("2");
        await alice.ById("list-me").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast")).ToHaveTextAsync("Listed.", new() { Timeout = 20_000 });

        // A C# profile finds the listing and connects by handle.
        var bob = profiles.Create(server, "Bob");
        Assert.Equal("alice", Assert.Single(await bob.SearchDirectoryAsync("garden")).Name);
        await bob.RequestContactAsync(handle, "alice", "Bob", "by handle");
        await Assertions.Expect(alice.ById("request")).ToContainTextAsync("Bob", new() { Timeout = 20_000 });

        // Another browser searches the directory and asks for contact from the result; a third types the handle.
        await dave.ById("directory").ClickAsync();
        await dave.ById("directory-query").FillAsync("GARDEN");
        await dave.ById("directory-free").CheckAsync();
        await dave.ById("directory-search").ClickAsync();
        await Assertions.Expect(dave.ById("directory-entry")).ToContainTextAsync("free for chat", new() { Timeout = 20_000 });
        await dave.ById("ask-contact").ClickAsync();
        await Assertions.Expect(dave.ById("request-waiting")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("request")).ToHaveCountAsync(2, new() { Timeout = 20_000 });

        var erin = await browser.OpenAsync(server.HttpBase, "erin");
        await erin.CreateProfileAsync("Erin");
        await erin.ById("accept").ClickAsync();
        await erin.ById("card-input").FillAsync(handle);
        await erin.ById("accept-card").ClickAsync();
        await Assertions.Expect(erin.ById("request-waiting")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("request")).ToHaveCountAsync(3, new() { Timeout = 20_000 });

        // Unlisting is immediate; the handle still resolves.
        await alice.ById("unlist-me").ClickAsync();
        await WaitUntilAsync(async () => (await bob.SearchDirectoryAsync("garden")).Count == 0);
        Assert.True(HandleName.TryParse(handle, out var parsed));
        Assert.Null((await bob.ResolveHandleAsync(parsed)).Listing);
        Assert.Empty(alice.Problems);
        Assert.Empty(dave.Problems);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(100);
        }
    }
}
