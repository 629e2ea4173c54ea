using Microsoft.Playwright;

namespace Purr.Server.Tests.Web;

/// <summary>
/// Messages written to attack the reader render as inert text: no script runs, no element but the
/// Markdown subset's appears, no link leaves for anything but http(s) or mailto, and the page makes
/// no request to anywhere (no remote image, no tracker).
/// </summary>
public sealed class HostileContentTests
{
    private static readonly string[] Corpus =
    [
        "<script>window.pwned = 1</script>",
        "<img src=x onerror=\"window.pwned = 2\">",
        "[click me](javascript:window.pwned=3)",
        "<svg onload=\"window.pwned = 4\"><script>window.pwned = 5</script></svg>",
        "![tracker](http://127.0.0.1:9/pixel.png)",
        "<a href=\"javascript:alert(1)\">x</a> <iframe src=\"http://127.0.0.1:9/\"></iframe>",
        "**<b onmouseover=alert(1)>bold</b>** and `<script>alert(2)</script>`",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <object data=x></object>",
        "\u202Eevil.exe\u202C then \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd and \u0645\u0631\u062d\u0628\u0627",
        "```\n<style>body{display:none}</style>\n```",
        new string('A', 12_000) + "<script>window.pwned = 6</script>",
    ];

    [Fact]
    public async Task Hostile_messages_render_as_inert_text()
    {
        await using var server = await RunningServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var mallory = await browser.OpenAsync(server.HttpBase, "mallory");
        await alice.CreateProfileAsync("Alice");
        await mallory.CreateProfileAsync("<img src=x onerror=alert(7)>");
        await mallory.AcceptAsync(await alice.InviteAsync("Mallory"));
        await Assertions.Expect(alice.Page.Locator("nav .item", new() { HasText = "<img src=x onerror=alert(7)>" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await alice.OpenConversationAsync("<img src=x onerror=alert(7)>");

        foreach (var text in Corpus)
        {
            await mallory.SendAsync(text);
        }

        await alice.ExpectMessageAsync("AAAAAAAAAA");
        await Assertions.Expect(alice.Page.GetByTestId("message").Filter(new() { HasNotText = "accepted your invite" })).ToHaveCountAsync(Corpus.Length, new() { Timeout = 20_000 });
        await alice.ExpectMessageAsync("<script>window.pwned = 1</script>");
        await alice.ExpectMessageAsync("<svg onload=\"window.pwned = 4\">");

        // Hover and click everything that looks clickable; links only ever open the confirmation.
        foreach (var link in await alice.Page.Locator(".messages a").AllAsync())
        {
            await link.HoverAsync();
            await link.ClickAsync();
            await alice.ById("link-cancel").ClickAsync();
        }

        await alice.ScreenshotAsync("11-hostile-messages");
        Assert.Equal("undefined", await alice.Page.EvaluateAsync<string>("typeof window.pwned"));
        var unexpected = await alice.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.messages *')]
              .filter(e => !['LI','SPAN','DIV','P','BR','STRONG','EM','CODE','PRE','A','UL','OL'].includes(e.tagName)
                || [...e.attributes].some(a => a.name.startsWith('on') || a.name === 'style' || a.name === 'src'))
              .map(e => e.outerHTML.slice(0, 80))
            """);
        Assert.Empty(unexpected);
        var hrefs = await alice.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.messages a')].map(a => a.href)");
        Assert.All(hrefs, href => Assert.Matches("^(https?:|mailto:)", href));
        Assert.Equal(await alice.Page.EvaluateAsync<int>("() => document.querySelectorAll('.messages a').length"),
            await alice.Page.EvaluateAsync<int>("() => document.querySelectorAll('.messages a[rel=\"noopener noreferrer\"]').length"));

        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
        mallory.AssertNoProblems();
    }
}
