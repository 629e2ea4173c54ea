using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
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

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var limits = services.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Purr.Server.Transport");
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("This endpoint speaks the Purr protocol over WebSocket; see PROTOCOL.md.\n");
            return;
        }

        if (!OriginPolicy.IsAllowed(context.Request, limits.AllowedOrigins))
        {
            ServerLog.ConnectionRefused(logger, "origin not allowed");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("origin not allowed\n");
            return;
        }

        var admission = services.GetRequiredService<ConnectionAdmission>();
        var address = context.Connection.RemoteIpAddress;
        var limiters = services.GetRequiredService<AddressLimiters>();
        if (!limiters.Connections.TryTake(address, out var retryAfter))
        {
            ServerLog.ConnectionRefused(logger, "per-address connection rate");
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Response.WriteAsync($"too many new connections from your address; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s\n");
            return;
        }

        switch (admission.TryAdmit(address))
        {
            case Admission.ServerFull:
                ServerLog.ConnectionRefused(logger, "server connection limit");
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("too many connections to this server\n");
                return;
            case Admission.TooManyFromAddress:
                ServerLog.ConnectionRefused(logger, "per-address connection limit");
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.Response.WriteAsync("too many connections from your address\n");
                return;
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = limits.PingInterval,
                KeepAliveTimeout = limits.IdleTimeout,
            });
            ServerLog.ConnectionOpened(logger, admission.Open);
            using var channel = new WebSocketFrameChannel(socket, limits.MaxFrameBytes, limits.OutboundQueueFrames, limits.SendTimeout, logger);
            var session = new ProtocolSession(
                channel,
                address,
                services.GetRequiredService<RequestDispatcher>(),
                services.GetRequiredService<ServerIdentity>(),
                new SessionSettings(
                    limits.MaxFrameBytes, limits.RequestsPerSecond, limits.HandshakeTimeout, services.GetRequiredService<Limits>(), services.GetService<Metrics.ServerMetrics>(),
                    limiters.FailedAuths, services.GetRequiredService<RegistrationInfo>()),
                services.GetServices<ISessionObserver>(),
                services.GetRequiredService<TimeProvider>(),
                logger);
            await session.RunAsync(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        }
        catch (WebSocketException)
        {
            // The upgrade failed; nothing was set up.
        }
        finally
        {
            admission.Release(address);
        }
    }
}
