using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>
/// The browser scenario (page load, profiles, a card, a chat, a room) with every log level on: no
/// line may carry a name, a text, a card or room link, or an IP address.
/// </summary>
public sealed class BrowserPrivacyLogTests
{
    [Fact]
    public async Task Browser_scenario_logs_no_user_data()
    {
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        };
        var texts = new List<string> { "127.0.0.1", "::1", "localhost", "Alicia Quokka", "Bertrand Wombat", "a secret about the garden", "whisper about the shed" };
        await using (var server = await RunningServer.StartAsync(settings: settings, logs: logs))
        await using (var browser = await Browser.LaunchAsync())
        {
            var alice = await browser.OpenAsync(server.HttpBase, "alice");
            var bob = await browser.OpenAsync(server.HttpBase, "bob");
            await alice.CreateProfileAsync("Alicia Quokka");
            await bob.CreateProfileAsync("Bertrand Wombat");
            var card = await alice.InviteAsync("Bertrand");
            texts.Add(card["purr:card/".Length..][..40]);
            await bob.AcceptAsync(card);
            await bob.SendAsync("a secret about the garden");
            await alice.OpenConversationAsync("Bertrand Wombat");
            await alice.ExpectMessageAsync("a secret about the garden");

            var link = await alice.CreateRoomAsync();
            texts.Add(link["purr:room/".Length..][..30]);
            texts.Add(link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]);
            await bob.JoinRoomAsync(link);
            await alice.Page.GetByText("Back to the room").ClickAsync();
            await alice.SendAsync("welcome to the room");
            await bob.ExpectMessageAsync("welcome to the room");
            await bob.SendAsync("/purr Alicia Quokka whisper about the shed");
            await alice.ExpectMessageAsync("whisper about the shed");
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("Connection opened", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            foreach (var text in texts)
            {
                Assert.False(line.Contains(text, StringComparison.Ordinal), $"log line reveals user data ({text}): {line}");
            }
        }
    }
}
