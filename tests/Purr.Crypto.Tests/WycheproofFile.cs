using System.Text.Json;
using Purr.TestKit;

namespace Purr.Crypto.Tests;

/// <summary>Reads a Wycheproof vector file from ../shared/vectors/wycheproof and flattens its groups.</summary>
internal static class WycheproofFile
{
    public static IEnumerable<(JsonElement Group, JsonElement Test)> Tests(string file)
    {
        var path = RepositoryPaths.Wycheproof(file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var all = new List<(JsonElement, JsonElement)>();
        foreach (var group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                all.Add((group.Clone(), test.Clone()));
            }
        }

        Assert.NotEmpty(all);
        return all;
    }

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    public static string Result(this JsonElement test) => test.GetProperty("result").GetString()!;

    public static bool HasFlag(this JsonElement test, string flag) =>
        test.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == flag);

    public static string Id(this JsonElement test) => $"tcId {test.GetProperty("tcId").GetInt32()}";
}
