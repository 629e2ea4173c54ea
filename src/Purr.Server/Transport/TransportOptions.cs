using System.ComponentModel.DataAnnotations;
using Purr.Protocol;
using Purr.Server.Modules;

namespace Purr.Server.Transport;

/// <summary>How clients reach the server besides the WebSocket (section "Transports"; README lists the defaults).</summary>
public sealed class TransportOptions : IValidatableObject
{
    public const string Section = "Transports";

    /// <summary>
    /// Accept the raw framing (a preamble, then length-prefixed frames) on every port purrd listens on, HTTP's
    /// included; a Unix socket in <c>Urls</c> (<c>http://unix:/run/purr/purrd.sock</c>) then serves it too.
    /// </summary>
    public bool RawFraming { get; set; } = true;

    /// <summary>
    /// Further endpoints to list in the server's address and /.well-known/purr, in the order clients should try
    /// them after the WebSocket (tcp://host:port, unix:/path, ws(s)://host:port/path); the MQTT endpoint is added
    /// by itself when <c>Mqtt:Endpoint</c> is set. purrd does not check that they lead to it: that is the operator's
    /// word, and clients check the server key on every transport anyway.
    /// </summary>
    public string[] Advertise { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var endpoint in Advertise)
        {
            if (!TransportEndpoint.TryParse(endpoint, out _, out var error))
            {
                yield return new ValidationResult($"Transports:Advertise: {error}");
            }
        }

        if (Advertise.Length > PurrAddress.MaxTransports - 1)
        {
            yield return new ValidationResult($"Transports:Advertise lists at most {PurrAddress.MaxTransports - 1} endpoints");
        }
    }
}

/// <summary>The MQTT transport (section "Mqtt"): purrd as a client of an existing broker, serving Purr sessions through it.</summary>
public sealed class MqttOptions : IValidatableObject
{
    public const string Section = "Mqtt";

    /// <summary>mqtt://broker:port/topic/prefix; empty (the default) leaves the MQTT transport off.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The broker account purrd logs in with, if the broker asks for one.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Purr sessions over MQTT at once; a connection beyond it is answered UNAVAILABLE and closed.</summary>
    [Range(1, 100_000)]
    public int MaxSessions { get; set; } = 1_000;

    /// <summary>
    /// New MQTT connections (Noise handshakes: three X25519 operations each) purrd accepts per minute, in bursts of
    /// the same; beyond it a handshake is ignored and the client's connect times out.
    /// </summary>
    [Range(1, 1_000_000)]
    public int HandshakesPerMinute { get; set; } = 600;

    /// <summary>How long purrd waits before reconnecting to a broker it lost (doubling up to a minute).</summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>List the endpoint in the server's address and /.well-known/purr.</summary>
    public bool Advertise { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint.Length != 0 && !(TransportEndpoint.TryParse(Endpoint, out var parsed, out var error) && parsed.Kind == TransportKind.Mqtt))
        {
            yield return new ValidationResult("Mqtt:Endpoint must be mqtt://broker:port/topic/prefix");
        }
    }
}
