using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Disappearing messages (PROTOCOL.md 10.5) between the purr tool and a browser: a timer either side sets holds for both,
/// and each side deletes the texts sent under it, from the screen, the history and the file.
/// </summary>
public sealed class BrowserDisappearingTests
{
    [Fact]
    public async Task A_timer_set_in_the_terminal_deletes_on_both_sides_and_the_browser_turns_it_off()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await using var browser = await Browser.LaunchAsync();
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await bob.CreateProfileAsync("Bob");
        var link = await bob.InviteAsync("Alice");
        await PurrTool.RunAsync(0, "--profile", alice, "accept", link, "--name", "bob");
        await Assertions.Expect(bob.Page.Locator("nav .item", new() { HasText = "Alice" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");
        await bob.OpenConversationAsync("Alice");
        await bob.SendAsync("kept for good");
        Assert.Contains("kept for good", await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10"), StringComparison.Ordinal);

        Assert.Contains("'3x' is not a timer", await PurrTool.RunAsync(2, "--profile", alice, "disappear", "bob", "3x"), StringComparison.Ordinal);
        Assert.Contains("5 seconds", await PurrTool.RunAsync(0, "--profile", alice, "disappear", "bob", "5s"), StringComparison.Ordinal);
        await bob.ExpectMessageAsync("Alice set disappearing messages to 5 seconds");
        await Assertions.Expect(bob.ById("disappear")).ToHaveValueAsync("5");
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "this will vanish");
        await bob.ExpectMessageAsync("this will vanish");
        // The browser's own texts follow the timer the terminal set.
        await bob.SendAsync("so will this");
        Assert.Contains("so will this", await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10"), StringComparison.Ordinal);
        var kept = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "history", "bob")).RootElement;
        AssertTimed(kept, stays: "kept for good", justReceived: "so will this", mayBeGone: "this will vanish");
        var lastExpiry = LastExpiry(kept);
        Assert.Contains("5 seconds", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);

        await Assertions.Expect(bob.Page.GetByTestId("message").Filter(new() { HasText = "this will vanish" })).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(bob.Page.GetByTestId("message").Filter(new() { HasText = "so will this" })).ToHaveCountAsync(0);
        await bob.ExpectMessageAsync("kept for good");
        // The terminal's copies go 5 s after *it* stored them (its own clock), which may be later than the browser's.
        await UntilAsync(lastExpiry);
        var after = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "history", "bob")).RootElement;
        Assert.Equal(["kept for good"], after.EnumerateArray().Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(1, RecordsIn(Path.Combine(alice, "history.purr")));

        // Turned off in the browser: the terminal follows, and new texts stay.
        await bob.ById("disappear").SelectOptionAsync("0");
        Assert.Contains("bob turned disappearing messages off", await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.DoesNotContain("disappear after", await PurrTool.RunAsync(0, "--profile", alice, "contacts"), StringComparison.Ordinal);
        bob.AssertNoProblems();
    }

    [Fact]
    public async Task A_rooms_timer_set_in_the_terminal_holds_for_a_browser_member_and_both_delete()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        var created = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        await using var browser = await Browser.LaunchAsync();
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await bob.CreateProfileAsync("Bob");
        await bob.JoinRoomAsync(created.GetProperty("link").GetString()!, "Bob");
        await bob.SendAsync("this one stays");
        Assert.Contains("this one stays", await PurrTool.RunAsync(0, "--profile", alice, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);

        Assert.Contains("5 seconds", await PurrTool.RunAsync(0, "--profile", alice, "room", "disappear", "garden", "5s"), StringComparison.Ordinal);
        await bob.ExpectMessageAsync("Alice set disappearing messages to 5 seconds");
        await Assertions.Expect(bob.ById("disappear")).ToHaveValueAsync("5");
        await PurrTool.RunAsync(0, "--profile", alice, "room", "send", "garden", "a room text that vanishes");
        await bob.ExpectMessageAsync("a room text that vanishes");
        await bob.SendAsync("and a reply that goes too");
        Assert.Contains("and a reply that goes too", await PurrTool.RunAsync(0, "--profile", alice, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);
        var roomHistory = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "history", "garden", "--room")).RootElement;
        AssertTimed(roomHistory, stays: "this one stays", justReceived: "and a reply that goes too", mayBeGone: "a room text that vanishes");
        var lastExpiry = LastExpiry(roomHistory);

        await Assertions.Expect(bob.Page.GetByTestId("message").Filter(new() { HasText = "vanishes" })).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(bob.Page.GetByTestId("message").Filter(new() { HasText = "goes too" })).ToHaveCountAsync(0);
        await bob.ExpectMessageAsync("this one stays");
        await UntilAsync(lastExpiry);
        var kept = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "history", "garden", "--room")).RootElement;
        Assert.Equal(["this one stays"], kept.EnumerateArray().Select(e => e.GetProperty("text").GetString()));
        bob.AssertNoProblems();
    }

    /// <summary>
    /// Checks the terminal's history while the timer runs: the text from before the timer has no deletion time, the text
    /// it has just received has one, and its own text sent under the timer has one or is already gone (its 5 s count from
    /// when the terminal sent it, and a slow machine can take longer than that to get here).
    /// </summary>
    private static void AssertTimed(JsonElement entries, string stays, string justReceived, string mayBeGone)
    {
        var byText = entries.EnumerateArray().ToDictionary(e => e.GetProperty("text").GetString()!, e => e.GetProperty("expiresAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, byText[stays]);
        Assert.Equal(JsonValueKind.String, byText[justReceived]);
        if (byText.TryGetValue(mayBeGone, out var kind))
        {
            Assert.Equal(JsonValueKind.String, kind);
        }

        Assert.Subset(new HashSet<string> { stays, justReceived, mayBeGone }, byText.Keys.ToHashSet());
    }

    /// <summary>The latest deletion time among the listed history entries.</summary>
    private static DateTimeOffset LastExpiry(JsonElement entries) =>
        entries.EnumerateArray().Where(e => e.GetProperty("expiresAt").ValueKind != JsonValueKind.Null).Max(e => e.GetProperty("expiresAt").GetDateTimeOffset());

    /// <summary>Waits until a second past <paramref name="when"/>.</summary>
    private static async Task UntilAsync(DateTimeOffset when)
    {
        var wait = when.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>How many records the history file holds: sealed, so counted by their length prefixes (PROTOCOL.md 9).</summary>
    private static int RecordsIn(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var count = 0;
        for (var offset = 9; offset + 4 <= bytes.Length; count++)
        {
            offset += 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
        }

        return count;
    }
}
