using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// The terminal client on servers with a registration policy, run as separate processes as a person would:
/// an invite link at init, tokens spent by cards and rooms and refilled from the invite, a server password and
/// an account from the environment, and what a person sees when the server wants something they lack.
/// </summary>
public sealed class CliRegistrationTests
{
    private static readonly string Purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");

    [Fact]
    public async Task An_invite_link_at_init_pays_for_cards_and_rooms_and_refills_itself()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string>
        {
            ["Registration:Policy"] = "invite",
        });
        var created = await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, "--json", "invites", "create", "--tokens", "12"]);
        var link = JsonDocument.Parse(created.Output).RootElement.GetProperty("link").GetString()!;
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");

        var init = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "init", "--invite", link, "--display-name", "Alice")).RootElement;
        Assert.Equal(10, init.GetProperty("creationTokens").GetInt32());
        Assert.Equal(server.Address.ToString(), init.GetProperty("server").GetString());

        // Without an invite, a card cannot be made here, and the person is told what to do.
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString());
        var refused = await PurrTool.RunAsync(1, "--profile", bob, "invite", "--name", "alice");
        Assert.Contains("RegistrationRequired", refused, StringComparison.Ordinal);
        Assert.Contains("purr register --invite LINK", refused, StringComparison.Ordinal);

        // Cards and rooms spend tokens; the eleventh creation redeems the invite's last two.
        for (var i = 0; i < 9; i++)
        {
            await PurrTool.RunAsync(0, "--profile", alice, "invite", "--name", $"friend{i}");
        }

        await PurrTool.RunAsync(0, "--profile", alice, "room", "create", "--name", "family");
        var before = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "register")).RootElement.GetProperty("registrations")[0];
        Assert.Equal((0, 2), (before.GetProperty("creationTokens").GetInt32(), before.GetProperty("inviteTokensLeft").GetInt32()));
        await PurrTool.RunAsync(0, "--profile", alice, "invite", "--name", "friend9");
        var after = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "register")).RootElement.GetProperty("registrations")[0];
        Assert.Equal((1, 0), (after.GetProperty("creationTokens").GetInt32(), after.GetProperty("inviteTokensLeft").GetInt32()));
        await PurrTool.RunAsync(0, "--profile", alice, "invite", "--name", "friend10");
        var usedUp = await PurrTool.RunAsync(1, "--profile", alice, "invite", "--name", "friend11");
        Assert.Contains("used-up invite", usedUp, StringComparison.Ordinal);

        // A new invite from the operator refills a profile the same way; cards made with tokens work as any card.
        foreach (var profile in new[] { alice, bob })
        {
            var fresh = await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, "--json", "invites", "create", "--tokens", "5"]);
            await PurrTool.RunAsync(0, "--profile", profile, "register", "--invite", JsonDocument.Parse(fresh.Output).RootElement.GetProperty("link").GetString()!);
        }

        var card = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "invite", "--name", "alice")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", alice, "accept", card, "--name", "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "paid for by a token nobody can trace");
        Assert.Contains("paid for by a token", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_invites_leave_no_profile_and_say_why()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "invite" });
        using var home = new TemporaryDirectory();
        var carol = Path.Combine(home.Path, "carol");
        Assert.Contains("not a Purr invite link", await PurrTool.RunAsync(2, "--profile", carol, "init", "--invite", "purr:invite/garbage"), StringComparison.Ordinal);

        var created = await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, "--json", "invites", "create", "--tokens", "1"]);
        var invite = JsonDocument.Parse(created.Output).RootElement;
        await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, "invites", "revoke", invite.GetProperty("id").GetString()!]);
        var revoked = await PurrTool.RunAsync(1, "--profile", carol, "init", "--invite", invite.GetProperty("link").GetString()!);
        Assert.Contains("revoked", revoked, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(carol, "profile.purr")) || Directory.Exists(carol) && Directory.EnumerateFiles(carol).Any());
    }

    [Fact]
    public async Task A_server_password_and_an_account_come_from_the_environment()
    {
        using var data = new TemporaryDirectory();
        await using (var passworded = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Registration:Policy"] = "password",
            ["Registration:Password"] = "open sesame please",
        }))
        {
            using var home = new TemporaryDirectory();
            var dave = Path.Combine(home.Path, "dave");
            await PurrTool.RunWithAsync(0, "correct horse battery", new Dictionary<string, string> { ["PURR_SERVER_PASSWORD"] = "open sesame please" },
                "--profile", dave, "init", "--server", passworded.Address.ToString(), "--server-password");
            await PurrTool.RunAsync(0, "--profile", dave, "invite", "--name", "someone");
            await PurrTool.RunWithAsync(0, "correct horse battery", new Dictionary<string, string> { ["PURR_SERVER_PASSWORD"] = "wrong one" },
                "--profile", dave, "register", "--server-password");
            var wrong = await PurrTool.RunAsync(1, "--profile", dave, "invite", "--name", "another");
            Assert.Contains("wrong server password", wrong, StringComparison.Ordinal);
            Assert.Contains("purr register", wrong, StringComparison.Ordinal);
        }

        await using var accounts = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "accounts" });
        Assert.Equal(0, (await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, "accounts", "add", "erin"], input: "erin's long password\n")).Exit);
        using var homes = new TemporaryDirectory();
        var erin = Path.Combine(homes.Path, "erin");
        await PurrTool.RunWithAsync(0, "correct horse battery", new Dictionary<string, string> { ["PURR_ACCOUNT_PASSWORD"] = "erin's long password" },
            "--profile", erin, "init", "--server", accounts.Address.ToString(), "--account", "erin");
        await PurrTool.RunAsync(0, "--profile", erin, "room", "create", "--name", "club");
        var shown = await PurrTool.RunAsync(0, "--profile", erin, "register");
        Assert.Contains("account erin", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("erin's long password", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_server_is_said_to_be_closed()
    {
        await using var closed = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "closed" });
        using var home = new TemporaryDirectory();
        var frank = Path.Combine(home.Path, "frank");
        await PurrTool.RunAsync(0, "--profile", frank, "init", "--server", closed.Address.ToString());
        var refused = await PurrTool.RunAsync(1, "--profile", frank, "invite", "--name", "someone");
        Assert.Contains("takes no new mailboxes or rooms", refused, StringComparison.Ordinal);
        Assert.Contains("use another server", refused, StringComparison.Ordinal);
    }
}
