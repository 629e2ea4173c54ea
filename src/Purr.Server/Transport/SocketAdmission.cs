using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// Counts every accepted TCP connection, upgraded or not, in total and per IP, and closes one beyond
/// either cap inside the accept loop (<see cref="AdmittingListenerFactory"/>), before Kestrel reads a byte.
/// The total is kept below the process's descriptor limit (<see cref="Transport.DescriptorLimit"/>), so a
/// flood of silent connections cannot exhaust descriptors; and connections that do not finish their HTTP
/// request headers within <see cref="ConnectionLimitsOptions.HttpIdleTimeout"/> are closed.
/// </summary>
public sealed class SocketAdmission
{
    private readonly AddressCounter counter;
    private readonly ILogger logger;

    public SocketAdmission(IOptions<ConnectionLimitsOptions> options, ILoggerFactory loggers)
    {
        DescriptorLimit = Transport.DescriptorLimit.Read();
        var cap = Transport.DescriptorLimit.SocketCap(options.Value.MaxSockets, DescriptorLimit, Transport.DescriptorLimit.OpenNow() ?? 0);
        counter = new AddressCounter(cap, options.Value.MaxSocketsPerIp);
        logger = loggers.CreateLogger("Purr.Server.Transport");
    }

    /// <summary>The process's descriptor limit as read at start, or null where it cannot be read.</summary>
    public long? DescriptorLimit { get; }

    /// <summary>The most sockets open at once: the configured cap, lowered below the descriptor limit.</summary>
    public int MaxSockets => counter.MaxTotal;

    public int Open => counter.Open;

    /// <summary>Counts the connection in, or closes it at once and answers false.</summary>
    internal async ValueTask<bool> TryAdmitAsync(ConnectionContext connection)
    {
        var admission = counter.TryAdmit(AddressOf(connection));
        if (admission == Admission.Admitted)
        {
            return true;
        }

        ServerLog.ConnectionRefused(logger, admission == Admission.ServerFull ? "server socket limit" : "per-address socket limit");
        connection.Abort(new ConnectionAbortedException("socket limit"));
        await connection.DisposeAsync();
        return false;
    }

    /// <summary>Connection middleware: runs the connection, then counts it out.</summary>
    internal async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        try
        {
            await next(connection);
        }
        finally
        {
            counter.Release(AddressOf(connection));
        }
    }

    private static IPAddress? AddressOf(ConnectionContext connection) => (connection.RemoteEndPoint as IPEndPoint)?.Address;
}

/// <summary>
/// Counts connections out through <see cref="SocketAdmission"/> on every Kestrel endpoint, applies the HTTP idle
/// timeout, lets the raw framing (<see cref="RawFramingMiddleware"/>) take the connections that open with its preamble,
/// and upgrades those that open with a WebSocket upgrade to /v1/ws below HTTP (<see cref="WebSocketUpgradeMiddleware"/>).
/// </summary>
internal sealed class ConfigureKestrelLimits(
    SocketAdmission admission, RawFramingMiddleware rawFraming, WebSocketUpgradeMiddleware webSocketUpgrade, IOptions<ConnectionLimitsOptions> options)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        kestrel.Limits.KeepAliveTimeout = options.Value.HttpIdleTimeout;
        kestrel.Limits.RequestHeadersTimeout = options.Value.HttpIdleTimeout;
        kestrel.ConfigureEndpointDefaults(listen =>
        {
            listen.Use(next => connection => admission.RunAsync(connection, next));
            listen.Use(next => connection => rawFraming.RunAsync(connection, next));
            listen.Use(next => connection => webSocketUpgrade.RunAsync(connection, next));
        });
    }
}
