using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Purr.Server.Registration;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// The browser on servers with a registration policy: the create screen asks for what the server wants, an
/// invite's tokens (blinded in the browser, signed by the C# server) pay for cards and rooms that the CLI can
/// use, a refused creation opens a dialog to fix the credential, and a closed server says so.
/// </summary>
public sealed class BrowserRegistrationTests
{
    [Fact]
    public async Task An_invite_link_lets_a_person_in_and_its_tokens_pay_for_cards_and_rooms()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "invite" });
        var admin = server.Services.GetRequiredService<RegistrationAdmin>();
        var (_, link) = await admin.CreateInviteAsync(20, null, "", CancellationToken.None);
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");

        await alice.ById("display-name").FillAsync("Alice");
        await alice.ById("passphrase").FillAsync("correct horse battery");
        await alice.ById("passphrase-again").FillAsync("correct horse battery");
        await alice.ById("create-profile").ClickAsync();
        await Assertions.Expect(alice.ById("error")).ToContainTextAsync("invite link");
        await alice.ById("invite-link").FillAsync("purr:invite/not-one");
        await alice.ById("create-profile").ClickAsync();
        await Assertions.Expect(alice.ById("error")).ToContainTextAsync("not a Purr invite link");
        // The operator may hand the invite over as a web link: the page fills it in from the part after '#'.
        await alice.Page.GotoAsync(new Uri(server.HttpBase, "/#invite=" + Uri.EscapeDataString(link)).ToString());
        await alice.Page.ReloadAsync();
        await Assertions.Expect(alice.ById("invite-link")).ToHaveValueAsync(link);
        await alice.ById("display-name").FillAsync("Alice");
        await alice.ById("passphrase").FillAsync("correct horse battery");
        await alice.ById("passphrase-again").FillAsync("correct horse battery");
        await alice.ById("create-profile").ClickAsync();
        await Assertions.Expect(alice.ById("status")).ToHaveTextAsync("online", new() { Timeout = 20_000 });
        Assert.DoesNotContain(alice.Requests, request => request.Contains("invite", StringComparison.OrdinalIgnoreCase));

        var card = await alice.InviteAsync("Bob");
        await alice.CreateRoomAsync(persistent: true, title: "Family");

        // The CLI, with its own invite, accepts the browser's card: both sides' tokens came from one C# key.
        var (_, bobLink) = await admin.CreateInviteAsync(5, null, "", CancellationToken.None);
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--invite", bobLink, "--display-name", "Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await Assertions.Expect(alice.ById("invite-item")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await alice.OpenConversationAsync("Bob");
        await alice.SendAsync("tokens nobody can trace");
        Assert.Contains("tokens nobody can trace", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);

        // Alice's page redeemed one batch of 10 of her 20; the CLI took all 5 of Bob's.
        var invites = await admin.ListInvitesAsync(CancellationToken.None);
        Assert.Equal([0, 10], invites.Select(i => i.TokensLeft).Order());
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task A_wrong_server_password_opens_a_dialog_that_fixes_it()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Registration:Policy"] = "password",
            ["Registration:Password"] = "open sesame please",
        });
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.ById("server-password").FillAsync("open sesame");
        await alice.CreateProfileAsync("Alice");

        await alice.ById("invite").ClickAsync();
        await alice.ById("invite-label").FillAsync("Bob");
        await alice.ById("create-invite").ClickAsync();
        await Assertions.Expect(alice.ById("access-problem")).ToContainTextAsync("wrong server password", new() { Timeout = 20_000 });
        await alice.ById("access-dialog").GetByTestId("server-password").FillAsync("open sesame please");
        await alice.ById("access-save").ClickAsync();
        await Assertions.Expect(alice.ById("card-link")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^purr:card/"), new() { Timeout = 20_000 });

        // Reloaded and unlocked, the corrected password is what the profile keeps.
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await Assertions.Expect(alice.ById("status")).ToHaveTextAsync("online", new() { Timeout = 20_000 });
        await alice.CreateRoomAsync(title: "Works");
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task An_account_server_asks_for_the_account_and_a_closed_server_lets_nobody_in()
    {
        await using (var accounts = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "accounts" }))
        {
            Assert.True(await accounts.Services.GetRequiredService<RegistrationAdmin>().AddAccountAsync("alice", "alice's long password", CancellationToken.None));
            await using var browser = await Browser.LaunchAsync();
            var alice = await browser.OpenAsync(accounts.HttpBase, "alice");
            await alice.ById("account-name").FillAsync("alice");
            await alice.ById("account-password").FillAsync("alice's long password");
            await alice.CreateProfileAsync("Alice");
            await alice.InviteAsync("Bob");
            alice.AssertNoProblems();
        }

        await using var closed = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "closed" });
        await using var browser2 = await Browser.LaunchAsync();
        var carol = await browser2.OpenAsync(closed.HttpBase, "carol");
        await Assertions.Expect(carol.ById("closed")).ToContainTextAsync("takes no new people");
        await Assertions.Expect(carol.ById("create-profile")).ToBeDisabledAsync();
    }
}
