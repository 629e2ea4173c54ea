namespace Purr.Server.Transport;

/// <summary>
/// Browsers send an Origin header with every WebSocket upgrade; Kestrel accepts any. Purr accepts
/// the server's own origin and the configured ones, and clients that send none (not browsers).
/// </summary>
internal static class OriginPolicy
{
    /// <param name="origin">The request's Origin header; empty when it has none.</param>
    /// <param name="scheme">The scheme the request came in on (http, https).</param>
    /// <param name="host">The request's Host header.</param>
    public static bool IsAllowed(string origin, string scheme, string? host, IReadOnlyCollection<string> allowed)
    {
        if (origin.Length == 0)
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri))
        {
            return false;
        }

        var own = $"{scheme}://{host}";
        if (Uri.TryCreate(own, UriKind.Absolute, out var ownUri) && SameOrigin(originUri, ownUri))
        {
            return true;
        }

        foreach (var entry in allowed)
        {
            if (Uri.TryCreate(entry, UriKind.Absolute, out var allowedUri) && SameOrigin(originUri, allowedUri))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
