using System.Text.Json;

namespace Purr.Cli;

/// <summary>Writes results for people (plain lines) or for scripts (--json: one JSON document).</summary>
internal sealed class Output(bool json)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    public bool Json { get; } = json;

    public void Result(object value, string text)
    {
        Console.Out.WriteLine(Json ? JsonSerializer.Serialize(value, Options) : text);
    }

    public static void Error(string message) => Console.Error.WriteLine($"purr: {message}");
}
