using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Purr.Server.Host;

/// <summary>
/// Serves the browser client (web/, built into the output's web/ folder) at / on the same origin as
/// the WebSocket, under a strict Content-Security-Policy: scripts, styles and connections only from
/// this server, WebAssembly for libsodium, nothing inline, no frames, no third-party requests.
/// </summary>
public static class WebClient
{
    private static readonly object NextKey = new();

    /// <summary>Every response carries it; the page's own origin is the only place it may load from or talk to.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
        "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void UsePurrWebClient(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            return next(context);
        });

        if (!app.Configuration.GetValue("Web:Enabled", true))
        {
            return;
        }

        var root = Path.GetFullPath(app.Configuration["Web:Root"] ?? Path.Combine(AppContext.BaseDirectory, "web"), Environment.CurrentDirectory);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.MapGet("/", context => Results.Text(
                "purrd is running, but its browser client was not built (web/ needs Node.js 20 and npm at build time).\n",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context));
            return;
        }

        // The static-file pipeline is built on the first request that needs it, not at start:
        // loading and compiling it cost about 30 ms of cold start on a small machine.
        RequestDelegate? files = null;
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if ((!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                || path.StartsWithSegments("/v1") || path.StartsWithSegments("/.well-known") || path.StartsWithSegments("/healthz"))
            {
                return next(context);
            }

            context.Items[NextKey] = next;
            files ??= BuildStaticFiles(app, root);
            return files(context);
        });
    }

    private static RequestDelegate BuildStaticFiles(IApplicationBuilder app, string root)
    {
        var files = new PhysicalFileProvider(root);
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        var branch = app.New();
        branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        branch.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            // index.html names the bundle; revalidate so an upgraded server is picked up at once.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        branch.Run(context => ((RequestDelegate)context.Items[NextKey]!)(context));
        return branch.Build();
    }
}
