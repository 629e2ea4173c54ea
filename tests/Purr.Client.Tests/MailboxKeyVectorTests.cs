using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for mailbox keys (PROTOCOL.md 3 and 4): purrd's derivation from an identity seed, the
/// hello MAC and a request MAC, from fixed inputs; and a mailbox key sealed to a fixed box key (sealing is randomised,
/// so that part is committed once and only opened). Committed as Vectors/mailbox-keys-v1.json, reproduced by the
/// browser's Node tests and checked against purrd's own derivation by the server tests.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class MailboxKeyVectorTests
{
    private const string FileName = "mailbox-keys-v1.json";

    [Fact]
    public void Mailbox_key_vectors_reproduce_byte_for_byte_and_the_sealed_key_opens()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        var generated = Generate();
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            var written = generated.DeepClone().AsObject();
            written["sealed"] = Sealed(generated);
            File.WriteAllText(path, written.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var sealedPart = committed["sealed"]!.AsObject();
        var withoutSealed = committed.DeepClone().AsObject();
        withoutSealed.Remove("sealed");
        Assert.True(JsonNode.DeepEquals(withoutSealed, generated), "the mailbox key vectors changed");

        using var box = X25519KeyPair.FromSecret(Hex(sealedPart["box_secret"]!));
        Assert.Equal(Hex(committed["mailbox_key"]!), SealedBox.Open(Hex(sealedPart["sealed_key"]!), box));
        using var other = X25519KeyPair.Generate();
        Assert.Null(SealedBox.Open(Hex(sealedPart["sealed_key"]!), other));
    }

    private static JsonObject Generate()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var receiveId = Enumerable.Range(0xA0, 16).Select(i => (byte)i).ToArray();
        var sessionNonce = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();
        var clientNonce = Enumerable.Range(0x80, 32).Select(i => (byte)i).ToArray();
        var request = new Request { Id = 3, Subscribe = new Subscribe { ReceiveId = ByteString.CopyFrom(receiveId) } }.ToByteArray();

        // purrd's derivation, written out from PROTOCOL.md 4 (the server tests check purrd computes the same).
        var secret = new byte[32];
        Blake2b.Hash("purr/v1 mailbox secret"u8, secret, seed);
        var key = new byte[32];
        Blake2b.Hash([.. "purr/v1 mailbox key"u8, 0, .. receiveId], key, secret);
        return new JsonObject
        {
            ["description"] = "Purr mailbox key vectors v1: see MailboxKeyVectorTests.cs and PROTOCOL.md 3 and 4. mailbox_secret and mailbox_key "
                + "are the derivation purrd uses from the identity seed; hello_mac and request_mac the MACs with that key; the sealed part is the "
                + "key sealed (crypto_box_seal, randomised) to the X25519 key whose secret is box_secret.",
            ["identity_seed"] = Convert.ToHexStringLower(seed),
            ["receive_id"] = Convert.ToHexStringLower(receiveId),
            ["session_nonce"] = Convert.ToHexStringLower(sessionNonce),
            ["client_nonce"] = Convert.ToHexStringLower(clientNonce),
            ["request"] = Convert.ToHexStringLower(request),
            ["mailbox_secret"] = Convert.ToHexStringLower(secret),
            ["mailbox_key"] = Convert.ToHexStringLower(key),
            ["hello_mac"] = Convert.ToHexStringLower(MailboxMacs.Hello(key, sessionNonce, clientNonce)),
            ["request_mac"] = Convert.ToHexStringLower(MailboxMacs.Request(key, sessionNonce, request)),
        };
    }

    private static JsonObject Sealed(JsonObject generated)
    {
        var boxSecret = Enumerable.Range(0xC0, 32).Select(i => (byte)i).ToArray();
        using var box = X25519KeyPair.FromSecret(boxSecret);
        return new JsonObject
        {
            ["box_secret"] = Convert.ToHexStringLower(boxSecret),
            ["sealed_key"] = Convert.ToHexStringLower(SealedBox.Seal(Hex(generated["mailbox_key"]!), box.PublicKey)!),
        };
    }

    private static byte[] Hex(JsonNode node) => Convert.FromHexString(node.GetValue<string>());
}
