using System.Text;
using Microsoft.Playwright;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// The browser keeps every message (PROTOCOL.md 9, "Browser history"): more than the profile's window of 200 per chat,
/// across reloads, searchable, and deletable per chat and all at once.
/// </summary>
public sealed class BrowserHistoryTests
{
    private const int Sent = 215;

    /// <summary>Every record of the history store and the profile record, as Latin-1 text of their raw bytes.</summary>
    private const string StoredBytesScript = """
        async () => {
          const read = (name, store) => new Promise((resolve, reject) => {
            const open = indexedDB.open(name);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const request = open.result.transaction(store).objectStore(store).getAll();
              request.onsuccess = () => { open.result.close(); resolve(request.result); };
            };
          });
          const latin1 = buffer => Array.from(new Uint8Array(buffer), b => String.fromCharCode(b)).join("");
          const history = (await read("purr-history", "messages")).map(r => latin1(r.sealed) + latin1(r.tag));
          const profile = (await read("purr", "profile")).filter(v => v instanceof ArrayBuffer).map(latin1);
          return [...history, ...profile];
        }
        """;

    [Fact]
    public async Task More_than_200_messages_stay_searchable_across_a_reload_until_deleted()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        await alice.CreateProfileAsync("Alice");
        var link = await alice.InviteAsync("Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "Bob" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10");

        // Bob types 215 lines into purr chat (the passphrase first: standard input is not a terminal), in batches the
        // mailbox's quota (128 waiting messages) holds while the browser catches up.
        await alice.OpenConversationAsync("Bob");
        var purr = Path.Combine(AppContext.BaseDirectory, "purr.dll");
        for (var first = 1; first <= Sent; first += 100)
        {
            var lines = new StringBuilder("correct horse battery\n");
            var last = Math.Min(Sent, first + 99);
            for (var i = first; i <= last; i++)
            {
                lines.Append(FormattableString.Invariant($"line {i:D3} from the terminal\n"));
            }

            var (exit, output) = await ProcessRun.RunAsync("dotnet", [purr, "--profile", bob, "chat", "alice"], timeout: TimeSpan.FromSeconds(120), input: lines.ToString());
            Assert.True(exit == 0 && !output.Contains('!', StringComparison.Ordinal), output);
            await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = FormattableString.Invariant($"line {last:D3} from the terminal") }))
                .ToBeVisibleAsync(new() { Timeout = 60_000 });
        }

        // The ones that left the profile's window while the chat was open are still on screen.
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "from the terminal" })).ToHaveCountAsync(Sent);

        // After a reload the chat opens with the newest 200; the earlier ones are behind "Show earlier messages".
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await alice.OpenConversationAsync("Bob");
        // 15 lines and the notice that Bob accepted the card.
        await Assertions.Expect(alice.ById("show-earlier")).ToContainTextAsync("(16)");
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "line 001 from" })).ToHaveCountAsync(0);
        await alice.ById("show-earlier").ClickAsync();
        await alice.ExpectMessageAsync("line 001 from the terminal");
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "from the terminal" })).ToHaveCountAsync(Sent);

        // What this browser stores holds no text: the history records and the profile are sealed.
        var stored = await alice.Page.EvaluateAsync<string[]>(StoredBytesScript);
        Assert.True(stored.Length > Sent, $"the history store holds {stored.Length} records");
        Assert.DoesNotContain(stored, bytes => bytes.Contains("from the terminal", StringComparison.Ordinal) || bytes.Contains("Bob", StringComparison.Ordinal));

        // Search finds an early one and opens its chat.
        await alice.ById("search").ClickAsync();
        await alice.ById("search-input").FillAsync("LINE 007");
        await alice.ById("search-submit").ClickAsync();
        await Assertions.Expect(alice.ById("search-result")).ToHaveCountAsync(1);
        await Assertions.Expect(alice.ById("search-result")).ToContainTextAsync("line 007 from the terminal");
        await alice.ById("search-result").ClickAsync();
        await Assertions.Expect(alice.ById("conversation-title")).ToContainTextAsync("Bob");

        // Deleting the chat's history takes the window and the store; nothing comes back after a reload.
        await alice.ById("delete-history").ClickAsync();
        await alice.ById("confirm-delete-history").ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasText = "from the terminal" })).ToHaveCountAsync(0);
        await Assertions.Expect(alice.ById("delete-history")).ToHaveCountAsync(0);
        await alice.Page.ReloadAsync();
        await alice.ById("unlock-passphrase").FillAsync("correct horse battery");
        await alice.ById("unlock").ClickAsync();
        await alice.OpenConversationAsync("Bob");
        await Assertions.Expect(alice.ById("show-earlier")).ToHaveCountAsync(0);
        await alice.ById("search").ClickAsync();
        await alice.ById("search-input").FillAsync("from the terminal");
        await alice.ById("search-submit").ClickAsync();
        await Assertions.Expect(alice.ById("search-status")).ToHaveTextAsync("Nothing found.");

        // A new message is kept again, and "delete all" takes it too.
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "one more, after the clean-up");
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("one more, after the clean-up");
        await alice.ById("search").ClickAsync();
        await alice.ById("search-input").FillAsync("clean-up");
        await alice.ById("search-submit").ClickAsync();
        await Assertions.Expect(alice.ById("search-result")).ToHaveCountAsync(1);
        await alice.ById("delete-all-history").ClickAsync();
        await alice.ById("confirm-delete-all-history").ClickAsync();
        await Assertions.Expect(alice.ById("delete-all-history")).ToBeVisibleAsync();
        await alice.ById("search-submit").ClickAsync();
        await Assertions.Expect(alice.ById("search-status")).ToHaveTextAsync("Nothing found.");
        alice.AssertNoProblems();
    }

}
