using System.Text.Json;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Client.Federation;

/// <summary>One server a catalog lists: its address (whose key is its identity) and whether it relays.</summary>
public sealed record CatalogEntry(PurrAddress Address, bool Relays, PurrAddress ListedBy);

/// <summary>
/// Server catalogs (PROTOCOL.md 15.4): GET /.well-known/purr/catalog of a server the profile already uses, checked
/// against that server's pinned key, merged across servers (one entry per key, the first listing wins).
/// </summary>
public static class ServerCatalog
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The servers <paramref name="server"/>'s operator lists; throws when the catalog is unreachable or not signed by its pinned key.</summary>
    public static async Task<IReadOnlyList<CatalogEntry>> FetchAsync(PurrAddress server, bool useTls = false, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = Timeout };
        string text;
        try
        {
            text = await http.GetStringAsync($"{(useTls ? "https" : "http")}://{server.Host}:{server.Port}/.well-known/purr/catalog", cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new PurrConnectionException($"could not fetch the catalog of {server.Host}:{server.Port} ({e.Message})", e);
        }

        return Parse(server, text);
    }

    /// <summary>Checks and reads a catalog document of <paramref name="server"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Parse(PurrAddress server, string document)
    {
        try
        {
            using var outer = JsonDocument.Parse(document);
            if (!Base64Url.TryDecode(outer.RootElement.GetProperty("body").GetString() ?? "", out var body)
                || !Base64Url.TryDecode(outer.RootElement.GetProperty("signature").GetString() ?? "", out var signature)
                || !Ed25519.Verify(server.IdentityKey, SignedBytes.ServerCatalog(body), signature))
            {
                throw new PurrServerKeyMismatchException($"the catalog of {server.Host}:{server.Port} is not signed by the key its address pins");
            }

            using var inner = JsonDocument.Parse(body);
            var entries = new List<CatalogEntry>();
            foreach (var peer in inner.RootElement.GetProperty("peers").EnumerateArray())
            {
                if (PurrAddress.TryParse(peer.GetProperty("address").GetString(), out var address, out _))
                {
                    entries.Add(new CatalogEntry(address, peer.TryGetProperty("relays", out var relays) && relays.ValueKind == JsonValueKind.True, server));
                }
            }

            return entries;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PurrConnectionException($"the catalog of {server.Host}:{server.Port} is malformed", e);
        }
    }

    /// <summary>Catalogs merged: one entry per server key, in the order given, leaving out servers already known.</summary>
    public static IReadOnlyList<CatalogEntry> Merge(IEnumerable<IReadOnlyList<CatalogEntry>> catalogs, IEnumerable<PurrAddress> known)
    {
        var seen = new HashSet<string>(known.Select(k => k.Fingerprint), StringComparer.Ordinal);
        return [.. catalogs.SelectMany(c => c).Where(e => seen.Add(e.Address.Fingerprint))];
    }
}
