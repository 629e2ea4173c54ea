using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Purr.Protocol;

namespace Purr.Client.Handles;

/// <summary>
/// Finds a server's purr:// address (with its key) from its host and port, by GET /.well-known/purr. The answer is
/// trusted on first use (SECURITY.md): a client that already knows the server's address uses it instead.
/// </summary>
public static class ServerDiscovery
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<PurrAddress> DiscoverAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = Timeout };
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        WellKnown? answer;
        try
        {
            answer = await http.GetFromJsonAsync<WellKnown>($"http://{hostPart}:{port}/.well-known/purr", cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            throw new PurrConnectionException($"could not reach a Purr server at {hostPart}:{port} ({e.Message})", e);
        }

        return answer?.Address is { } text && PurrAddress.TryParse(text, out var address, out _)
            ? address
            : throw new PurrConnectionException($"{hostPart}:{port} did not answer like a Purr server");
    }

    private sealed record WellKnown([property: JsonPropertyName("address")] string? Address);
}
