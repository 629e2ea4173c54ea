using Purr.Server.Modules;
using System.ComponentModel.DataAnnotations;

namespace Purr.Server;

/// <summary>
/// Connection and transport limits, bound from the "Limits" configuration section. Every default
/// is documented in README.md and PROTOCOL.md; the server refuses to start on invalid values.
/// </summary>
public sealed class ConnectionLimitsOptions : IValidatableObject
{
    public const string Section = "Limits";

    /// <summary>Largest WebSocket message the server reads; larger ones close the connection (FRAME_TOO_LARGE).</summary>
    [Range(4096, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 128 * 1024;

    /// <summary>Open client connections across the whole server; more get HTTP 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Open connections from one IP address; more get HTTP 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerIp { get; set; } = 64;

    /// <summary>New WebSocket connections one IP address may open per minute (bursts of the same); more get HTTP 429 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int ConnectionsPerMinutePerIp { get; set; } = 120;

    /// <summary>
    /// AUTH refusals (unknown mailbox or bad signature) one IP address may cause per minute; beyond it every request
    /// from that address gets RATE_LIMITED until the budget refills, so ids and keys cannot be guessed at speed.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailedAuthsPerMinutePerIp { get; set; } = 60;

    /// <summary>
    /// TCP connections across the whole server in any state (HTTP, upgrading, WebSocket); beyond it new ones
    /// are closed at once. Lowered at start to 256 below the process's descriptor limit (ulimit -n).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSockets { get; set; } = 24_000;

    /// <summary>TCP connections from one IP address in any state; beyond it new ones are closed at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxSocketsPerIp { get; set; } = 128;

    /// <summary>
    /// A connection must send complete HTTP request headers within this time of opening (and of its previous
    /// request, on a kept-alive connection), or it is closed: silent connections cannot pile up.
    /// </summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan HttpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time from the WebSocket upgrade to a completed hello; then HANDSHAKE_TIMEOUT.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the server sends a WebSocket ping.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection that has not answered a ping for this long is closed.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Frames waiting to be written to one connection; beyond it the server stops reading from it.</summary>
    [Range(4, 65_536)]
    public int OutboundQueueFrames { get; set; } = 64;

    /// <summary>A frame that cannot be written within this time closes the connection (a client that stopped reading).</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Sustained requests per second per connection (a burst of twice this is allowed); more get RATE_LIMITED.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 500;

    /// <summary>
    /// Browser origins allowed to open a WebSocket, besides the server's own origin. Requests with no
    /// Origin header (non-browser clients) are allowed; any other origin gets HTTP 403.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxSocketsPerIp < MaxConnectionsPerIp)
        {
            yield return new ValidationResult("Limits:MaxSocketsPerIp must be at least Limits:MaxConnectionsPerIp");
        }

        if (MaxSockets < MaxConnections)
        {
            yield return new ValidationResult("Limits:MaxSockets must be at least Limits:MaxConnections");
        }
    }
}
