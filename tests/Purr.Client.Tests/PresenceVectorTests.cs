using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for presence (PROTOCOL.md 10.9): a status and a query sealed to a channel key, from
/// seeded randomness; committed as Vectors/presence-v1.json and reproduced byte for byte by the browser's Node tests.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class PresenceVectorTests
{
    private const string FileName = "presence-v1.json";

    [Fact]
    public void Presence_vectors_reproduce_byte_for_byte_and_open()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the presence vectors changed");
        var key = Convert.FromHexString(committed["inputs"]!["key"]!.GetValue<string>());
        var sealedStatus = PresenceSealed.Parser.ParseFrom(Convert.FromHexString(committed["status"]!["sealed"]!.GetValue<string>()));
        Assert.Equal("at the dentist", PresenceSeal.Open(key, sealedStatus)!.Text);
        Assert.Null(PresenceSeal.Open(new byte[32], sealedStatus));
    }

    private static JsonObject Generate()
    {
        var seed = "purr vector seed: presence"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var key = new byte[32];
        random.Fill(key);
        var status = new PresencePlaintext { Status = PresenceStatus.Busy, Text = "at the dentist", SentAtMs = 1_793_620_800_123 };
        var query = new PresencePlaintext { Query = true, SentAtMs = 1_793_620_801_000 };
        var sealedStatus = PresenceSeal.Seal(key, status, random);
        var sealedQuery = PresenceSeal.Seal(key, query, random);
        return new JsonObject
        {
            ["description"] = "Purr presence vectors v1: see PresenceVectorTests.cs and PROTOCOL.md 10.9. Random bytes come from SeededRandomSource "
                + "(PROTOCOL.md 10.7), one stream: the channel key (32), then one 24-byte nonce per sealed message, status first.",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["inputs"] = new JsonObject { ["key"] = Convert.ToHexStringLower(key) },
            ["status"] = new JsonObject { ["plaintext"] = Convert.ToHexStringLower(status.ToByteArray()), ["sealed"] = Convert.ToHexStringLower(sealedStatus.ToByteArray()) },
            ["query"] = new JsonObject { ["plaintext"] = Convert.ToHexStringLower(query.ToByteArray()), ["sealed"] = Convert.ToHexStringLower(sealedQuery.ToByteArray()) },
        };
    }
}
