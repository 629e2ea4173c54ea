using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for contact addresses (PROTOCOL.md 10.8): the signed address and a request sealed to it,
/// from seeded randomness; committed as Vectors/addresses-v1.json and reproduced byte for byte by the browser's Node tests.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class AddressVectorTests
{
    private const string FileName = "addresses-v1.json";

    [Fact]
    public void Address_vectors_reproduce_byte_for_byte()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the address vectors changed");
    }

    [Fact]
    public void The_committed_request_opens_with_the_address_keys_and_not_under_another_address()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName)))!;
        var address = ContactAddress.Parse(vectors["address"]!["link"]!.GetValue<string>());
        var request = AddressRequest.Parser.ParseFrom(Hex(vectors["request"]!["bytes"]!));
        using var requestKey = X25519KeyPair.FromSecret(Hex(vectors["inputs"]!["requestKeySecret"]!));
        var body = AddressRequests.Open(request, requestKey, address.Body.AddressKey.Span);
        Assert.NotNull(body);
        Assert.Equal(Hex(vectors["request"]!["body"]!), body.ToByteArray());
        Assert.Null(AddressRequests.Open(request, requestKey, new byte[32]));
    }

    [Fact]
    public void A_post_quantum_address_refuses_a_request_without_its_KEM_ciphertext_and_a_classic_one_a_request_with_one()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName)))!["postQuantum"]!;
        var address = ContactAddress.Parse(vectors["address"]!["link"]!.GetValue<string>());
        Assert.True(address.IsPostQuantum);
        var random = new SeededRandomSource(Hex(vectors["seed"]!));
        _ = Draw(random, 32);
        using var requestKey = X25519KeyPair.FromSecret(Draw(random, 32));
        var kemSeed = Hex(vectors["kemSeed"]!);
        var request = AddressRequest.Parser.ParseFrom(Hex(vectors["request"]!["bytes"]!));
        Assert.NotNull(AddressRequests.Open(request, requestKey, address.Body.AddressKey.Span, kemSeed));

        var stripped = request.Clone();
        stripped.KemCiphertext = ByteString.Empty;
        Assert.Null(AddressRequests.Open(stripped, requestKey, address.Body.AddressKey.Span, kemSeed));
        Assert.Null(AddressRequests.Open(request, requestKey, address.Body.AddressKey.Span));
        var changed = request.Clone();
        var ciphertext = changed.KemCiphertext.ToByteArray();
        ciphertext[0] ^= 1;
        changed.KemCiphertext = ByteString.CopyFrom(ciphertext);
        Assert.Null(AddressRequests.Open(changed, requestKey, address.Body.AddressKey.Span, kemSeed));
    }

    private static JsonObject Generate()
    {
        var seed = "purr vector seed: addresses"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var addressSeed = Draw(random, 32);
        var requestSecret = Draw(random, 32);
        var sendId = Draw(random, 16);
        using var addressKey = Ed25519KeyPair.FromSeed(addressSeed);
        using var requestKey = X25519KeyPair.FromSecret(requestSecret);
        const string Server = "purr://AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@127.0.0.1:7800";
        var address = ContactAddress.Create(addressKey, requestKey, new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(sendId) }, "Corner Shop");
        var card = Draw(random, 200);
        var body = new AddressRequestBody { Card = ByteString.CopyFrom(card), DisplayName = "Bob", Message = "open on Sunday?" };
        var request = AddressRequests.Seal(address, body, random);
        var tagSecret = Draw(random, 32);
        var tag = AddressRequests.BlockTag(tagSecret, address.Body.AddressKey.Span);

        return new JsonObject
        {
            ["description"] = "Purr contact address vectors v1: see AddressVectorTests.cs and PROTOCOL.md 10.8. Random bytes come from SeededRandomSource "
                + "(PROTOCOL.md 10.7), one stream, drawn in this order: address key seed (32), request key secret (32), the mailbox's send id (16), "
                + "the stand-in card bytes (200), then the request's ephemeral secret (32), then a profile's tag secret (32) whose block tag for this address is blockTag. The address's display name is \"Corner Shop\"; "
                + "the request body's display name \"Bob\" and message \"open on Sunday?\".",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["inputs"] = new JsonObject
            {
                ["addressKeySeed"] = Convert.ToHexStringLower(addressSeed),
                ["requestKeySecret"] = Convert.ToHexStringLower(requestSecret),
                ["server"] = Server,
                ["sendId"] = Convert.ToHexStringLower(sendId),
                ["card"] = Convert.ToHexStringLower(card),
            },
            ["address"] = new JsonObject
            {
                ["signed"] = Convert.ToHexStringLower(address.SignedBytes),
                ["link"] = address.Link,
            },
            ["blockTag"] = new JsonObject
            {
                ["tagSecret"] = Convert.ToHexStringLower(tagSecret),
                ["tag"] = Convert.ToHexStringLower(tag),
            },
            ["request"] = new JsonObject
            {
                ["body"] = Convert.ToHexStringLower(body.ToByteArray()),
                ["bytes"] = Convert.ToHexStringLower(request.ToByteArray()),
            },
            ["postQuantum"] = GeneratePostQuantum(),
        };
    }

    /// <summary>A version 2 address (with an ML-KEM-768 request key) and a request sealed to it, from its own stream.</summary>
    private static JsonObject GeneratePostQuantum()
    {
        var seed = "purr vector seed: addresses pq"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var addressSeed = Draw(random, 32);
        var requestSecret = Draw(random, 32);
        var kemSeed = Draw(random, MlKem768.SeedBytes);
        var sendId = Draw(random, 16);
        using var addressKey = Ed25519KeyPair.FromSeed(addressSeed);
        using var requestKey = X25519KeyPair.FromSecret(requestSecret);
        const string Server = "purr://AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@127.0.0.1:7800";
        var address = ContactAddress.Create(addressKey, requestKey, new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(sendId) }, "Corner Shop", kemSeed);
        var card = Draw(random, 200);
        var body = new AddressRequestBody { Card = ByteString.CopyFrom(card), DisplayName = "Bob", Message = "open on Sunday?" };
        var request = AddressRequests.Seal(address, body, random);
        Assert.Equal(body, AddressRequests.Open(request, requestKey, address.Body.AddressKey.Span, kemSeed));
        return new JsonObject
        {
            ["description"] = "A version 2 address: the same steps, drawing address key seed (32), request key secret (32), ML-KEM-768 seed (64), "
                + "send id (16), stand-in card (200), then the request's ephemeral secret (32) and the encapsulation's message m (32).",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["kemSeed"] = Convert.ToHexStringLower(kemSeed),
            ["address"] = new JsonObject { ["signed"] = Convert.ToHexStringLower(address.SignedBytes), ["link"] = address.Link },
            ["request"] = new JsonObject
            {
                ["body"] = Convert.ToHexStringLower(body.ToByteArray()),
                ["bytes"] = Convert.ToHexStringLower(request.ToByteArray()),
            },
        };
    }

    private static byte[] Draw(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }

    private static byte[] Hex(JsonNode node) => Convert.FromHexString(node.GetValue<string>());
}
