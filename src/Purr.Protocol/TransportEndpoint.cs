using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Purr.Protocol;

/// <summary>How a transport endpoint carries Purr frames (PROTOCOL.md section 2).</summary>
public enum TransportKind
{
    /// <summary><c>ws://host:port/path</c> or <c>wss://…</c>: one binary WebSocket message per frame.</summary>
    WebSocket,

    /// <summary><c>tcp://host:port</c>: the raw framing (a preamble, then length-prefixed frames) over TCP.</summary>
    Tcp,

    /// <summary><c>unix:/path/to/socket</c>: the raw framing over a Unix domain socket on the same machine.</summary>
    Unix,

    /// <summary><c>mqtt://broker:port/topic/prefix</c>: frames as MQTT messages through a broker, Noise-encrypted.</summary>
    Mqtt,
}

/// <summary>
/// One way to reach a Purr server: a transport URL as the Meow protocol names servers. The server's identity key
/// is the same whatever the transport; the endpoint only says how frames travel.
/// </summary>
public sealed record TransportEndpoint(TransportKind Kind, string Host, int Port, string Path, bool Tls)
{
    public const int MqttDefaultPort = 1883;
    public const string WebSocketPath = "/v1/ws";

    /// <summary>The WebSocket endpoint a plain purr:// address names.</summary>
    public static TransportEndpoint WebSocketAt(string host, int port, bool tls = false) =>
        new(TransportKind.WebSocket, host, port, WebSocketPath, tls);

    public static TransportEndpoint Parse(string text) =>
        TryParse(text, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out TransportEndpoint? endpoint, out string error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a transport endpoint is a URL such as tcp://host:port";
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            // unix:/run/purr/purrd.sock or unix:///run/purr/purrd.sock: an absolute path on this machine.
            var socketPath = text["unix:".Length..];
            socketPath = socketPath.StartsWith("///", StringComparison.Ordinal) ? socketPath[2..] : socketPath;
            if (!socketPath.StartsWith('/') || socketPath.StartsWith("//", StringComparison.Ordinal) || socketPath.Length > 107)
            {
                error = "a Unix socket endpoint is unix:/absolute/path (at most 107 bytes)";
                return false;
            }

            endpoint = new TransportEndpoint(TransportKind.Unix, "", 0, socketPath, Tls: false);
            error = "";
            return true;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.UserInfo.Length != 0
            || uri.Query.Length != 0 || uri.Fragment.Length != 0)
        {
            error = $"'{text}' is not a transport URL (scheme://host:port[/path], no user, query or fragment)";
            return false;
        }

        var host = uri.Host.StartsWith('[') ? uri.Host[1..^1] : uri.Host;
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        (TransportKind Kind, bool Tls, int DefaultPort)? scheme = uri.Scheme switch
        {
            "ws" => (TransportKind.WebSocket, false, 80),
            "wss" => (TransportKind.WebSocket, true, 443),
            "tcp" => (TransportKind.Tcp, false, PurrAddress.DefaultPort),
            "mqtt" => (TransportKind.Mqtt, false, MqttDefaultPort),
            _ => null,
        };
        if (scheme is not { } known)
        {
            error = $"unknown transport '{uri.Scheme}' (known: ws, wss, tcp, unix, mqtt)";
            return false;
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? known.DefaultPort : uri.Port;
        switch (known.Kind)
        {
            case TransportKind.WebSocket:
                path = path == "/" ? WebSocketPath : path;
                break;
            case TransportKind.Tcp when path != "/":
                error = "a tcp:// endpoint has no path";
                return false;
            case TransportKind.Tcp:
                path = "";
                break;
            case TransportKind.Mqtt:
                path = path.Trim('/');
                if (!MqttTopic.IsValidPrefix(path))
                {
                    error = "an mqtt:// endpoint names a topic prefix (mqtt://broker:port/purr/...) without wildcards";
                    return false;
                }

                break;
        }

        endpoint = new TransportEndpoint(known.Kind, host, port, path, known.Tls);
        error = "";
        return true;
    }

    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return Kind switch
        {
            TransportKind.WebSocket => string.Create(CultureInfo.InvariantCulture, $"{(Tls ? "wss" : "ws")}://{host}:{Port}{Path}"),
            TransportKind.Tcp => string.Create(CultureInfo.InvariantCulture, $"tcp://{host}:{Port}"),
            TransportKind.Unix => $"unix:{Path}",
            _ => string.Create(CultureInfo.InvariantCulture, $"mqtt://{host}:{Port}/{Path}"),
        };
    }
}

/// <summary>MQTT topic names for the Purr transport (PROTOCOL.md section 2): opaque, per connection.</summary>
public static class MqttTopic
{
    /// <summary>A prefix is 1–128 characters of letters, digits and <c>/ - _ .</c>, with no empty level.</summary>
    public static bool IsValidPrefix(string prefix) =>
        prefix.Length is > 0 and <= 128
        && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')
        && !prefix.Split('/').Any(level => level.Length == 0);

    /// <summary>Where a client sends its frames for connection <paramref name="connectionId"/>.</summary>
    public static string Up(string prefix, string connectionId) => $"{prefix}/u/{connectionId}";

    /// <summary>Where the server sends its frames for connection <paramref name="connectionId"/>.</summary>
    public static string Down(string prefix, string connectionId) => $"{prefix}/d/{connectionId}";

    /// <summary>What the server subscribes to: every connection's up topic.</summary>
    public static string AllUp(string prefix) => $"{prefix}/u/+";
}
