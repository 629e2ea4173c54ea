using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Purr.Protocol;

/// <summary>
/// A server address, <c>purr://&lt;fingerprint&gt;@host:port</c>. The fingerprint is the server's
/// Ed25519 identity key in unpadded base64url (43 characters): a client that holds the address can
/// check the key itself, so neither a CA nor a domain name is needed.
/// </summary>
public sealed record PurrAddress(byte[] IdentityKey, string Host, int Port)
{
    public const string Scheme = "purr";
    public const int DefaultPort = 7878;
    private const int KeyBytes = 32;

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

        var rest = text[prefix.Length..].TrimEnd('/');
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
        address = new PurrAddress(key, uri.Host, port);
        error = "";
        return true;
    }

    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host;
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{Fingerprint}@{host}:{Port}");
    }

    public bool Equals(PurrAddress? other) =>
        other is not null && IdentityKey.AsSpan().SequenceEqual(other.IdentityKey) && Host == other.Host && Port == other.Port;

    public override int GetHashCode() => HashCode.Combine(Fingerprint, Host, Port);
}
