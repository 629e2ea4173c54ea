using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Purr.Protocol;

/// <summary>
/// A server address, <c>purr://&lt;fingerprint&gt;@host:port</c>, optionally followed by further transport
/// endpoints (<c>?transport=tcp://host:port&amp;transport=mqtt://broker:1883/purr/x</c>). The fingerprint is the
/// server's Ed25519 identity key in unpadded base64url (43 characters): a client that holds the address can
/// check the key itself, so neither a CA nor a domain name is needed. host:port is the server's WebSocket
/// endpoint and is tried first; the transports follow in order. Two addresses with the same key, host and
/// port are the same server whatever transports they list.
/// </summary>
public sealed record PurrAddress(byte[] IdentityKey, string Host, int Port)
{
    public const string Scheme = "purr";
    public const int DefaultPort = 7878;

    /// <summary>At most this many extra transports in one address.</summary>
    public const int MaxTransports = 8;

    private const string TransportParameter = "transport";
    private const int KeyBytes = 32;

    /// <summary>Extra endpoints after the WebSocket one, in the order to try them.</summary>
    public IReadOnlyList<TransportEndpoint> Transports { get; init; } = [];

    /// <summary>Every endpoint in the order a client tries them: the WebSocket at host:port, then <see cref="Transports"/>.</summary>
    public IEnumerable<TransportEndpoint> Endpoints(bool tls = false) =>
        [TransportEndpoint.WebSocketAt(Host.Trim('[', ']'), Port, tls), .. Transports];

    /// <summary>The same server with only its WebSocket endpoint: the form used to compare and to key connections.</summary>
    public PurrAddress WithoutTransports() => this with { Transports = [] };

    public string Fingerprint => Base64Url.Encode(IdentityKey);

    public static PurrAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out PurrAddress? address, out string error)
    {
        address = null;
        const string prefix = Scheme + "://";
        if (text is null || !text.StartsWith(prefix, StringComparison.Ordinal))
        {
            error = "a Purr address starts with purr://";
            return false;
        }

        var rest = text[prefix.Length..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        var transports = new List<TransportEndpoint>();
        if (query >= 0)
        {
            if (!TryParseTransports(rest[(query + 1)..], transports, out error))
            {
                return false;
            }

            rest = rest[..query];
        }

        rest = rest.TrimEnd('/');
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0)
        {
            error = "a Purr address is purr://<fingerprint>@host:port";
            return false;
        }

        if (!Base64Url.TryDecode(rest[..at], out var key) || key.Length != KeyBytes)
        {
            error = "the fingerprint is not a 32-byte key in base64url";
            return false;
        }

        if (!Uri.TryCreate("tcp://" + rest[(at + 1)..], UriKind.Absolute, out var uri) || uri.Host.Length == 0
            || uri.AbsolutePath != "/" || uri.UserInfo.Length != 0)
        {
            error = "the host part is not host:port";
            return false;
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        address = new PurrAddress(key, uri.Host, port) { Transports = transports };
        error = "";
        return true;
    }

    /// <summary>
    /// <c>transport=URL</c> pairs joined by <c>&amp;</c>, values percent-decoded. Unknown schemes are skipped (a
    /// newer server may list transports this client does not speak); a known one that is malformed is an error.
    /// Other parameters are ignored.
    /// </summary>
    private static bool TryParseTransports(string query, List<TransportEndpoint> transports, out string error)
    {
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || pair[..equals] != TransportParameter)
            {
                continue;
            }

            var value = Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!TransportEndpoint.TryParse(value, out var endpoint, out error))
            {
                if (error.StartsWith("unknown transport", StringComparison.Ordinal))
                {
                    continue;
                }

                error = $"transport {value}: {error}";
                return false;
            }

            if (transports.Count == MaxTransports)
            {
                error = $"an address lists at most {MaxTransports} transports";
                return false;
            }

            transports.Add(endpoint);
        }

        error = "";
        return true;
    }

    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host;
        var plain = string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{Fingerprint}@{host}:{Port}");
        return Transports.Count == 0
            ? plain
            : plain + "?" + string.Join('&', Transports.Select(t => TransportParameter + "=" + EscapeValue(t.ToString())));
    }

    /// <summary>Escapes only what would end or confuse a query value, so the URLs stay readable.</summary>
    private static string EscapeValue(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("&", "%26", StringComparison.Ordinal)
            .Replace("#", "%23", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal)
            .Replace("+", "%2B", StringComparison.Ordinal);

    public bool Equals(PurrAddress? other) =>
        other is not null && IdentityKey.AsSpan().SequenceEqual(other.IdentityKey) && Host == other.Host && Port == other.Port;

    public override int GetHashCode() => HashCode.Combine(Fingerprint, Host, Port);
}
