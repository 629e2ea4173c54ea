using System.Net;

namespace Purr.Server.Tests.Web;

/// <summary>purrd serves its browser client at / with a strict Content-Security-Policy on every response.</summary>
public sealed class WebClientServingTests
{
    [Fact]
    public async Task The_page_and_its_files_are_served_with_a_strict_policy()
    {
        await using var server = await RunningServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"app.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html, StringComparison.Ordinal);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());

        var script = await http.GetAsync(new Uri("/app.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True(script.Headers.Contains("Content-Security-Policy"));

        // Nothing outside the client's folder, and the protocol endpoints are unchanged.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/..%2fappsettings.json", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/purrd.dll", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/.well-known/purr", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task The_client_can_be_switched_off()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Web:Enabled"] = "false" });
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }
}
