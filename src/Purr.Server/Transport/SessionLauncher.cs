using System.Globalization;
using System.Net;
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

/// <summary>Why a new connection was not admitted, with what to tell it.</summary>
internal sealed record ConnectionRefusal(string Reason, ErrorCode Code, int HttpStatus, string Message, TimeSpan RetryAfter);

/// <summary>
/// What every transport does with a new client connection: the per-address connection rate and the
/// connection caps before anything is set up, then a <see cref="ProtocolSession"/> over the transport's frame
/// channel. The WebSocket endpoint, the raw framing and the MQTT bridge all come through here.
/// </summary>
internal static class SessionLauncher
{
    public static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Purr.Server.Transport");

    /// <summary>Admits the connection (the caller then owes <see cref="Release"/>), or says why not.</summary>
    public static ConnectionRefusal? Admit(IServiceProvider services, IPAddress? address)
    {
        var logger = Logger(services);
        var limiters = services.GetRequiredService<AddressLimiters>();
        if (!limiters.Connections.TryTake(address, out var retryAfter))
        {
            ServerLog.ConnectionRefused(logger, "per-address connection rate");
            var seconds = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return new ConnectionRefusal(
                "rate", ErrorCode.RateLimited, 429, $"too many new connections from your address; retry in {seconds} s", retryAfter);
        }

        switch (services.GetRequiredService<ConnectionAdmission>().TryAdmit(address))
        {
            case Admission.ServerFull:
                ServerLog.ConnectionRefused(logger, "server connection limit");
                return new ConnectionRefusal("full", ErrorCode.Unavailable, 503, "too many connections to this server", TimeSpan.FromSeconds(1));
            case Admission.TooManyFromAddress:
                ServerLog.ConnectionRefused(logger, "per-address connection limit");
                return new ConnectionRefusal("address", ErrorCode.RateLimited, 429, "too many connections from your address", TimeSpan.Zero);
            default:
                return null;
        }
    }

    public static void Release(IServiceProvider services, IPAddress? address) =>
        services.GetRequiredService<ConnectionAdmission>().Release(address);

    /// <summary>The frame a refused raw or MQTT connection gets before it is closed (request_id 0).</summary>
    public static ServerFrame RefusalFrame(ConnectionRefusal refusal) => new()
    {
        Error = new Error { Code = refusal.Code, Detail = refusal.Message, RetryAfterMs = (uint)refusal.RetryAfter.TotalMilliseconds },
    };

    /// <summary>
    /// Runs the Purr protocol over an admitted connection's channel until it ends. <paramref name="frameAllowance"/>
    /// lowers the frame limit the session enforces and advertises (a tunnel's frames travel inside the link's own).
    /// </summary>
    public static Task RunAsync(IServiceProvider services, IFrameChannel channel, IPAddress? address, int frameAllowance = 0)
    {
        // One settings object for every session of the server (each used to have its own: 64 bytes a connection);
        // only a tunnel's, with its lower frame limit, is made for it.
        var settings = frameAllowance > 0 ? Settings(services, frameAllowance) : services.GetRequiredService<SessionSettings>();
        var logger = Logger(services);
        ServerLog.ConnectionOpened(logger, services.GetRequiredService<ConnectionAdmission>().Open);
        var session = new ProtocolSession(
            channel,
            address,
            services.GetRequiredService<RequestDispatcher>(),
            services.GetRequiredService<ServerIdentity>(),
            settings,
            services.GetServices<ISessionObserver>(),
            services.GetRequiredService<TimeProvider>(),
            logger);
        return session.RunAsync(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }

    /// <summary>The limits a session applies and advertises; <paramref name="frameAllowance"/> as in <see cref="RunAsync"/>.</summary>
    public static SessionSettings Settings(IServiceProvider services, int frameAllowance = 0)
    {
        var limits = services.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value;
        var advertised = services.GetRequiredService<Limits>();
        if (frameAllowance > 0)
        {
            advertised = advertised.Clone();
            advertised.MaxFrameBytes = (uint)(limits.MaxFrameBytes - frameAllowance);
        }

        return new SessionSettings(
            limits.MaxFrameBytes - frameAllowance, limits.RequestsPerSecond, limits.HandshakeTimeout, advertised,
            services.GetService<Metrics.ServerMetrics>(), services.GetRequiredService<AddressLimiters>().FailedAuths,
            services.GetRequiredService<RegistrationInfo>());
    }
}
