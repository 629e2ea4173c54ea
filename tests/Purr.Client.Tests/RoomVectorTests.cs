using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for rooms (PROTOCOL.md section 12) and the padding buckets (10.3):
/// a group message under the link's key, a key update and a whisper sealed to a member, from seeded
/// randomness; committed as Vectors/rooms-v1.json and reproduced byte for byte by the browser's Node tests.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class RoomVectorTests
{
    private const string FileName = "rooms-v1.json";
    private static readonly int[] PaddingLengths = [0, 1, 254, 255, 256, 1022, 1023, 1024, 2047, 2048, 4094, 4095, 4096, 8191, 8192, 16382, 16383, 16384, 40000];

    [Fact]
    public void Room_vectors_reproduce_byte_for_byte()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the room vectors changed");
    }

    [Fact]
    public void Committed_room_vectors_open_with_their_keys()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName)))!;
        var roomId = Hex(vectors["inputs"]!["roomId"]!);
        var roomKey = Hex(vectors["inputs"]!["roomKey"]!);
        var opened = RoomCrypto.DecryptGroup(roomId, Hex(vectors["group"]!["ciphertext"]!), _ => roomKey);
        Assert.Equal(Hex(vectors["inputs"]!["groupPlaintext"]!), opened);
        using var member = X25519KeyPair.FromSecret(Hex(vectors["inputs"]!["memberDhSecret"]!));
        Assert.Equal(Hex(vectors["inputs"]!["newRoomKey"]!), RoomCrypto.Open(roomId, member, Hex(vectors["keyUpdateSeal"]!["sealed"]!)));
        var profile = vectors["memberProfile"]!;
        Assert.Equal(Hex(profile["plaintext"]!), RoomCrypto.OpenProfile(roomKey, Hex(profile["memberKey"]!), Hex(profile["sealed"]!)));
        // Bound to its member: under another member's key it does not open.
        Assert.Null(RoomCrypto.OpenProfile(roomKey, new byte[32], Hex(profile["sealed"]!)));
    }

    private static JsonObject Generate()
    {
        var seed = "purr vector seed: rooms"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var roomId = Draw(random, 16);
        var roomKey = Draw(random, 32);
        var keyId = Blake2b.Hash(roomKey, 16)[..RoomCrypto.KeyIdBytes];
        var memberDhSecret = Draw(random, 32);
        using var member = X25519KeyPair.FromSecret(memberDhSecret);
        var newRoomKey = Draw(random, 32);
        var plaintext = new RoomPlaintext
        {
            MessageId = ByteString.CopyFrom(Draw(random, 16)),
            SentAt = 1_793_620_800,
            SenderName = "Alice",
            Text = "hello, room",
        }.ToByteArray();
        var whisper = new RoomPlaintext { MessageId = ByteString.CopyFrom(Draw(random, 16)), SentAt = 1_793_620_801, SenderName = "Alice", Text = "psst" }.ToByteArray();

        var group = RoomCrypto.EncryptGroup(roomId, keyId, roomKey, plaintext, random);
        var keyUpdate = RoomCrypto.Seal(roomId, member.PublicKey, newRoomKey, random);
        var whispered = RoomCrypto.Seal(roomId, member.PublicKey, whisper, random);
        using var profileMember = Ed25519KeyPair.FromSeed(Draw(random, 32));
        var profilePlaintext = new RoomPlaintext { SenderName = "Bob" }.ToByteArray();
        var profile = RoomCrypto.SealProfile(roomKey, profileMember.PublicKey, profilePlaintext, random);
        var tagSecret = Draw(random, 32);
        var joinTag = RoomCrypto.JoinTag(tagSecret, roomKey);
        var newKeyId = Draw(random, RoomCrypto.KeyIdBytes);
        var newJoinSecret = Draw(random, 32);
        var linkPlaintext = new RoomPlaintext { LinkUpdate = new RoomLinkUpdate { JoinSecret = ByteString.CopyFrom(newJoinSecret) } }.ToByteArray();
        var link = RoomCrypto.EncryptGroup(roomId, newKeyId, newRoomKey, linkPlaintext, random);

        // The hybrid seal of newRoomKey to a member with an ML-KEM-768 key, from the same stream after everything above.
        var memberKemSeed = Draw(random, MlKem768.SeedBytes);
        var memberKemKey = MlKem768.PublicKeyFromSeed(memberKemSeed);
        var (hybrid, hybridCiphertext) = RoomCrypto.SealHybrid(roomId, member.PublicKey, memberKemKey, newRoomKey, random);
        Assert.Equal(newRoomKey, RoomCrypto.OpenHybrid(roomId, member, memberKemSeed, hybrid, hybridCiphertext));

        return new JsonObject
        {
            ["description"] = "Purr room vectors v1: see RoomVectorTests.cs and PROTOCOL.md sections 10.3 and 12. Random bytes come from "
                + "SeededRandomSource (PROTOCOL.md 10.7), one stream, drawn in this order: roomId (16), roomKey (32), memberDhSecret (32), "
                + "newRoomKey (32), the group message's id (16), the whisper's id (16), then the group nonce (24), the key update's "
                + "ephemeral secret (32), the whisper's ephemeral secret (32), the profile member's Ed25519 seed (32), the profile nonce (24), "
                + "the join tag secret (32), the new key id (8), the new join secret (32), the link update's nonce (24). "
                + "linkUpdate.ciphertext is RoomKeyUpdate.link after a kick: a group message under newRoomKey and the new key id.",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["inputs"] = new JsonObject
            {
                ["roomId"] = Convert.ToHexStringLower(roomId),
                ["roomKey"] = Convert.ToHexStringLower(roomKey),
                ["memberDhSecret"] = Convert.ToHexStringLower(memberDhSecret),
                ["newRoomKey"] = Convert.ToHexStringLower(newRoomKey),
                ["groupPlaintext"] = Convert.ToHexStringLower(plaintext),
                ["whisperPlaintext"] = Convert.ToHexStringLower(whisper),
            },
            ["linkKeyId"] = Convert.ToHexStringLower(keyId),
            ["memberDhKey"] = Convert.ToHexStringLower(member.PublicKey),
            ["group"] = new JsonObject { ["ciphertext"] = Convert.ToHexStringLower(group) },
            ["keyUpdateSeal"] = new JsonObject { ["sealed"] = Convert.ToHexStringLower(keyUpdate), ["length"] = keyUpdate.Length },
            ["whisperSeal"] = new JsonObject { ["sealed"] = Convert.ToHexStringLower(whispered) },
            ["memberProfile"] = new JsonObject
            {
                ["memberKey"] = Convert.ToHexStringLower(profileMember.PublicKey),
                ["plaintext"] = Convert.ToHexStringLower(profilePlaintext),
                ["sealed"] = Convert.ToHexStringLower(profile),
            },
            ["joinTag"] = new JsonObject
            {
                ["tagSecret"] = Convert.ToHexStringLower(tagSecret),
                ["tag"] = Convert.ToHexStringLower(joinTag),
            },
            ["linkUpdate"] = new JsonObject
            {
                ["keyId"] = Convert.ToHexStringLower(newKeyId),
                ["joinSecret"] = Convert.ToHexStringLower(newJoinSecret),
                ["plaintext"] = Convert.ToHexStringLower(linkPlaintext),
                ["ciphertext"] = Convert.ToHexStringLower(link),
            },
            ["padding"] = new JsonArray([.. PaddingLengths.Select(n => (JsonNode)new JsonObject { ["length"] = n, ["padded"] = Padding.PaddedLength(n) })]),
            ["hybridKeySeal"] = new JsonObject
            {
                ["description"] = "newRoomKey sealed to a member with an ML-KEM-768 key (PROTOCOL.md 12): drawn after the link update's nonce, "
                    + "the member's KEM seed (64), then the seal's ephemeral secret (32) and the encapsulation's m (32).",
                ["memberKemSeed"] = Convert.ToHexStringLower(memberKemSeed),
                ["sealed"] = Convert.ToHexStringLower(hybrid),
                ["kemCiphertext"] = Convert.ToHexStringLower(hybridCiphertext),
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
