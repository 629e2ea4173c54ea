using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>The browser client as a person lives with it: inviting, a card being used, reading codes and dates on a phone.</summary>
public sealed partial class BrowserDailyUseTests
{
    [Fact]
    public async Task Inviting_cancelling_and_a_used_card_behave_as_a_person_expects()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await Assertions.Expect(alice.Page.GetByText("8 characters or more")).ToBeVisibleAsync();
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");

        // Cancel creates nothing.
        await alice.ById("invite").ClickAsync();
        await alice.ById("invite-label").FillAsync("cancelled one");
        await alice.ById("cancel-new-invite").ClickAsync();
        await Assertions.Expect(alice.ById("new-invite-screen")).ToHaveCountAsync(0);
        await Assertions.Expect(alice.ById("invite-item")).ToHaveCountAsync(0);

        var link = await alice.InviteAsync("Bob");
        await Assertions.Expect(alice.ById("invite-item")).ToHaveCountAsync(1);
        var invite = await alice.ById("invite-screen").InnerTextAsync();
        Assert.DoesNotMatch(NumericDate(), invite);
        Assert.Matches(MonthInWords(), invite);

        // Bob uses the card: Alice's page leaves the spent card for the new contact by itself.
        await bob.AcceptAsync(link);
        await Assertions.Expect(alice.ById("conversation-title")).ToContainTextAsync("Bob", new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("invite-screen")).ToHaveCountAsync(0);
        alice.AssertNoProblems();
        bob.AssertNoProblems();
    }

    [Fact]
    public async Task On_a_phone_the_address_fits_safety_code_groups_stay_whole_and_the_unlock_screen_names_the_profile()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice", width: 360, height: 740);
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        Assert.True(await alice.ById("server-address").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the server address overflows its card");
        Assert.True(await alice.ById("create-screen").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the landing card overflows");
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");
        var link = await bob.InviteAsync("Alice");
        await alice.AcceptAsync(link);
        await alice.ById("safety-code").ClickAsync();
        var groups = alice.Page.Locator("[data-testid=safety-digits] .group");
        await Assertions.Expect(groups).ToHaveCountAsync(12);
        // Each group of five is one box on one line, however narrow the screen.
        var lines = await groups.EvaluateAllAsync<int[]>("all => all.map(g => g.getClientRects().length)");
        Assert.All(lines, count => Assert.Equal(1, count));
        var heights = await groups.EvaluateAllAsync<double[]>("all => all.map(g => g.getBoundingClientRect().height)");
        Assert.All(heights, height => Assert.True(height < 40, $"a group is {height}px tall: it wrapped"));

        await alice.Page.ReloadAsync();
        await Assertions.Expect(alice.ById("unlock-title")).ToHaveTextAsync("Unlock Alice's profile");
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task An_operator_broadcast_shows_as_a_banner_until_dismissed()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var broadcasts = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Admin.Broadcasts>(server.Services);
        broadcasts.Send("the server moves on Sunday", TimeSpan.FromHours(1));
        await Assertions.Expect(alice.ById("broadcast-text")).ToHaveTextAsync("the server moves on Sunday", new() { Timeout = 20_000 });
        await Assertions.Expect(alice.ById("broadcast")).ToContainTextAsync("signed by the server key");
        await alice.ById("dismiss-broadcast").ClickAsync();
        await Assertions.Expect(alice.ById("broadcast")).ToBeHiddenAsync();
        alice.AssertNoProblems();
    }

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{2,4}\b")]
    private static partial Regex NumericDate();

    [GeneratedRegex("January|February|March|April|May|June|July|August|September|October|November|December")]
    private static partial Regex MonthInWords();
}
