using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Logging;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Transport;

/// <summary>
/// The client WebSocket endpoint (/v1/ws). Checks the origin and the connection limits before the
/// upgrade, so refused clients cost no WebSocket state, then runs a ProtocolSession over a WebSocketFrameChannel.
/// </summary>
internal static class WebSocketEndpoint
{
    public const string Path = "/v1/ws";

    /// <param name="services">
    /// The application's services (all singletons): <see cref="HttpContext.RequestServices"/> would create a request
    /// scope that a WebSocket then keeps for its whole life.
    /// </param>
    public static async Task HandleAsync(HttpContext context, IServiceProvider services)
    {
        var limits = services.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value;
        var logger = SessionLauncher.Logger(services);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("This endpoint speaks the Purr protocol over WebSocket; see PROTOCOL.md.\n");
            return;
        }

        if (!OriginPolicy.IsAllowed(context.Request.Headers.Origin.ToString(), context.Request.Scheme, context.Request.Host.Value, limits.AllowedOrigins))
        {
            ServerLog.ConnectionRefused(logger, "origin not allowed");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("origin not allowed\n");
            return;
        }

        // From the connection feature: context.Connection would allocate a wrapper the WebSocket then keeps.
        var address = context.Features.Get<IHttpConnectionFeature>()?.RemoteIpAddress;
        if (SessionLauncher.Admit(services, address) is { } refusal)
        {
            context.Response.StatusCode = refusal.HttpStatus;
            if (refusal.Reason == "rate")
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(refusal.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await context.Response.WriteAsync(refusal.Message + "\n");
            return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = limits.PingInterval,
                KeepAliveTimeout = limits.IdleTimeout,
            });
            using var channel = new WebSocketFrameChannel(socket, limits.MaxFrameBytes, limits.OutboundQueueFrames, limits.SendTimeout, logger);
            await SessionLauncher.RunAsync(services, channel, address);
        }
        catch (WebSocketException)
        {
            // The upgrade failed; nothing was set up.
        }
        finally
        {
            SessionLauncher.Release(services, address);
        }
    }
}
