using System.Diagnostics.CodeAnalysis;

namespace Purr.Client.Handles;

/// <summary>
/// "name@host[:port]": a handle on a server (PROTOCOL.md section 14). The host and port are where the server's
/// /.well-known/purr answers (purrd's own port; 7878 when none is given).
/// </summary>
public sealed record HandleName(string Name, string Host, int Port)
{
    public const int DefaultPort = 7878;

    public override string ToString() => Port == DefaultPort ? $"{Name}@{Host}" : $"{Name}@{Host}:{Port}";

    /// <summary>True for text shaped like a handle (and not a link).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out HandleName? handle)
    {
        handle = null;
        text = text.Trim();
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (text.StartsWith("purr:", StringComparison.Ordinal) || at <= 0 || at == text.Length - 1 || text.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        var server = text[(at + 1)..];
        var port = DefaultPort;
        var colon = server.LastIndexOf(':');
        // A bracketed IPv6 literal keeps its colons: [::1]:7878.
        if (colon > 0 && (!server.StartsWith('[') || server[colon - 1] == ']'))
        {
            if (!int.TryParse(server[(colon + 1)..], out port) || port is < 1 or > 65535)
            {
                return false;
            }

            server = server[..colon];
        }

        if (server.Length == 0)
        {
            return false;
        }

        handle = new HandleName(text[..at].ToLowerInvariant(), server, port);
        return true;
    }
}
