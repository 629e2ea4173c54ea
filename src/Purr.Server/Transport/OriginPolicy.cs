using Microsoft.AspNetCore.Http;

namespace Purr.Server.Transport;

/// <summary>
/// Browsers send an Origin header with every WebSocket upgrade; Kestrel accepts any. Purr accepts
/// the server's own origin and the configured ones, and clients that send none (not browsers).
/// </summary>
internal static class OriginPolicy
{
    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri))
        {
            return false;
        }

        var own = $"{request.Scheme}://{request.Host.Value}";
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
