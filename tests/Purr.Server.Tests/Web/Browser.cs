using Microsoft.Playwright;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser), headless, with the flags that
/// keep it off the network. Each user gets a context of its own (its own IndexedDB), and every request
/// a page makes is recorded so tests can prove nothing left the page's own server.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static string ArtifactsDirectory { get; } = Path.Combine(RepositoryPaths.Root, "test-artifacts", "screenshots");

    public static async Task<Browser> LaunchAsync()
    {
        Assert.True(File.Exists(ChromiumPath), "Debian's chromium is missing: scripts/install-test-deps.sh installs it");
        // Playwright's 5 s default is too tight for a 2-core CI machine running several browsers and servers at once
        // (a reload that unlocks a profile runs Argon2id in the page); a real failure still fails, only later.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        return new Browser(playwright, browser);
    }

    public async Task<BrowserUser> OpenAsync(Uri server, string name, int width = 1100, int height = 760)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = server.ToString(),
        });
        var page = await context.NewPageAsync();
        var user = new BrowserUser(name, context, page, server);
        await page.GotoAsync("/");
        return user;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}

/// <summary>One person's browser: a page, what it requested, what it complained about.</summary>
public sealed class BrowserUser
{
    private readonly List<string> requests = [];
    private readonly List<string> problems = [];

    public BrowserUser(string name, IBrowserContext context, IPage page, Uri server)
    {
        Name = name;
        Context = context;
        Page = page;
        Server = server;
        context.Request += (_, request) => { lock (requests) { requests.Add(request.Url); } };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lock (problems) { problems.Add(message.Text); }
            }
        };
        page.PageError += (_, error) => { lock (problems) { problems.Add("page error: " + error); } };
        page.Dialog += async (_, dialog) =>
        {
            if (dialog.Type is "alert")
            {
                lock (problems) { problems.Add("alert: " + dialog.Message); }
                await dialog.DismissAsync();
            }
        };
    }

    public string Name { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public Uri Server { get; }

    public IReadOnlyList<string> Requests { get { lock (requests) { return [.. requests]; } } }

    public IReadOnlyList<string> Problems { get { lock (problems) { return [.. problems]; } } }

    public ILocator ById(string testId) => Page.GetByTestId(testId);

    public async Task CreateProfileAsync(string displayName, string passphrase = "correct horse battery")
    {
        await ById("display-name").FillAsync(displayName);
        await ById("passphrase").FillAsync(passphrase);
        await ById("passphrase-again").FillAsync(passphrase);
        await ById("create-profile").ClickAsync();
        await Assertions.Expect(ById("status")).ToHaveTextAsync("online", new() { Timeout = 20_000 });
    }

    /// <summary>Clicks Invite, names the invite in the form, and returns the card link shown.</summary>
    public async Task<string> InviteAsync(string label)
    {
        await ById("invite").ClickAsync();
        await ById("invite-label").FillAsync(label);
        await ById("create-invite").ClickAsync();
        var link = ById("card-link");
        await Assertions.Expect(link).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^purr:card/"));
        return await link.InputValueAsync();
    }

    public async Task AcceptAsync(string link)
    {
        await ById("accept").ClickAsync();
        await ById("card-input").FillAsync(link);
        await ById("accept-card").ClickAsync();
        await Assertions.Expect(ById("conversation-title")).ToBeVisibleAsync();
    }

    /// <summary>Creates a room from the sidebar and returns its invite link (from the members view, which stays open).</summary>
    public async Task<string> CreateRoomAsync(bool persistent = false, string? title = null, bool moderated = false)
    {
        await ById("new-room").ClickAsync();
        if (title is not null)
        {
            await ById("room-title").FillAsync(title);
        }

        if (persistent)
        {
            await ById("room-persistent").CheckAsync();
        }

        if (moderated)
        {
            await ById("room-moderated").CheckAsync();
        }

        await ById("create-room").ClickAsync();
        await ById("members").ClickAsync();
        return await ById("room-link").InputValueAsync();
    }

    /// <summary>Submits the join form; with <paramref name="expectJoined"/> waits until the room's composer is usable.</summary>
    public async Task JoinRoomAsync(string link, string? name = null, bool expectJoined = true)
    {
        await ById("join-room").ClickAsync();
        await ById("room-link-input").FillAsync(link);
        if (name is not null)
        {
            await ById("room-join-name").FillAsync(name);
        }

        await ById("join-room-submit").ClickAsync();
        if (expectJoined)
        {
            await Assertions.Expect(ById("composer")).ToBeEnabledAsync();
        }
    }

    public async Task OpenConversationAsync(string title)
    {
        await Page.Locator("nav .item", new() { HasText = title }).First.ClickAsync();
        await Assertions.Expect(ById("conversation-title")).ToContainTextAsync(title);
    }

    public async Task SendAsync(string text)
    {
        await ById("composer").FillAsync(text);
        await ById("send").ClickAsync();
        await Assertions.Expect(ById("composer")).ToHaveValueAsync("", new() { Timeout = 20_000 });
    }

    public Task ExpectMessageAsync(string text) =>
        Assertions.Expect(Page.GetByTestId("message").Filter(new() { HasText = text }).First).ToBeVisibleAsync(new() { Timeout = 20_000 });

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(Browser.ArtifactsDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsDirectory, name + ".png") });
    }

    /// <summary>Every request went to the page's own server (http or ws on the same host and port).</summary>
    public void AssertOnlyOwnServerContacted()
    {
        foreach (var url in Requests)
        {
            var uri = new Uri(url);
            Assert.True(uri.Host == Server.Host && uri.Port == Server.Port, $"{Name}'s page requested {url}");
        }
    }

    /// <summary>As <see cref="AssertNoProblems"/>, ignoring what the browser itself says about a lost connection.</summary>
    public void AssertNoProblemsBut(string expected)
    {
        var others = Problems.Where(p => !p.Contains(expected, StringComparison.Ordinal) && !p.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal)).ToList();
        Assert.True(others.Count == 0, $"{Name}'s page reported: {string.Join(" | ", others)}");
    }

    /// <summary>
    /// Waits until <paramref name="locator"/> matches <paramref name="count"/> elements; on a timeout the failure says what
    /// the page showed instead: the matching elements' text, the last toast (an action's error goes there) and the page's
    /// problems, so a failure in CI explains itself.
    /// </summary>
    public async Task ExpectCountAsync(ILocator locator, int count, string when)
    {
        try
        {
            await Assertions.Expect(locator).ToHaveCountAsync(count, new() { Timeout = 20_000 });
        }
        catch (PlaywrightException e)
        {
            var shown = await locator.AllInnerTextsAsync();
            var toast = await Page.Locator(".toast").TextContentAsync();
            throw new Xunit.Sdk.XunitException(
                $"{when}: {Name}'s page shows {shown.Count} where {count} were expected: [{string.Join(" | ", shown)}]; " +
                $"last toast: \"{toast}\"; problems: [{string.Join(" | ", Problems)}] ({e.Message.Split('\n')[0]})");
        }
    }

    public void AssertNoProblems() => Assert.True(Problems.Count == 0, $"{Name}'s page reported: {string.Join(" | ", Problems)}");
}
