using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Vectors for relay packets (PROTOCOL.md section 15): a request sealed to a server's X25519 key and the answer sealed
/// back, from seeded randomness, committed as Vectors/relay-v1.json for other implementations. Regenerate with
/// PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class RelayPacketVectorTests
{
    private const string FileName = "relay-v1.json";

    [Fact]
    public void Relay_packet_vectors_reproduce_byte_for_byte_and_open()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the relay packet vectors changed");

        using var server = X25519KeyPair.FromSecret(Hex(committed, "inputs", "serverSecret"));
        var packet = Hex(committed, "request", "packet");
        var opened = RelayPacket.Open(server, packet)!;
        Assert.Equal(Hex(committed, "request", "message"), opened.Message);
        Assert.Equal(Hex(committed, "response", "message"), RelayPacket.OpenResponse(opened.Reply, Hex(committed, "response", "packet")));
    }

    [Fact]
    public void A_packet_opens_only_untouched_whole_and_under_its_own_key_and_every_packet_has_one_size()
    {
        using var server = X25519KeyPair.Generate();
        using var other = X25519KeyPair.Generate();
        foreach (var length in new[] { 0, 1, 1000, RelayPacket.MaxRequestMessageBytes })
        {
            using var ephemeral = RelayPacket.NewEphemeral(SystemRandomSource.Instance);
            var (packet, reply) = RelayPacket.Seal(server.PublicKey, ephemeral, new byte[length], SystemRandomSource.Instance);
            Assert.Equal(RelayPacket.PacketBytes, packet.Length);
            var opened = RelayPacket.Open(server, packet)!;
            Assert.Equal(length, opened.Message.Length);
            Assert.Null(RelayPacket.Open(other, packet));
            Assert.Null(RelayPacket.Open(server, packet.AsSpan(0, packet.Length - 1)));
            foreach (var position in new[] { 0, 40, RelayPacket.PacketBytes - 1 })
            {
                var tampered = (byte[])packet.Clone();
                tampered[position] ^= 0x01;
                Assert.Null(RelayPacket.Open(server, tampered));
            }

            var answer = RelayPacket.SealResponse(opened.Reply, new byte[Math.Min(length, RelayPacket.MaxResponseMessageBytes)], SystemRandomSource.Instance);
            Assert.Equal(RelayPacket.PacketBytes, answer.Length);
            Assert.NotNull(RelayPacket.OpenResponse(reply, answer));
            answer[^1] ^= 1;
            Assert.Null(RelayPacket.OpenResponse(reply, answer));
        }

        using var tooMuch = RelayPacket.NewEphemeral(SystemRandomSource.Instance);
        Assert.Throws<ArgumentException>(() => RelayPacket.Seal(server.PublicKey, tooMuch, new byte[RelayPacket.MaxRequestMessageBytes + 1], SystemRandomSource.Instance));
    }

    private static JsonObject Generate()
    {
        var seed = "purr vector seed: relay"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var serverSecret = new byte[32];
        random.Fill(serverSecret);
        using var server = X25519KeyPair.FromSecret(serverSecret);
        var request = new Request
        {
            Id = 1,
            SendMessage = new SendMessage { SendId = ByteString.CopyFrom(new byte[16]), Payload = ByteString.CopyFromUtf8("a relayed hello") },
        };
        var message = new RelayedRequest { Request = request.ToByteString(), SentAt = 1_793_620_800 }.ToByteArray();
        using var ephemeral = RelayPacket.NewEphemeral(random);
        var (packet, reply) = RelayPacket.Seal(server.PublicKey, ephemeral, message, random);
        var answer = new ServerFrame { RequestId = 1, MessageAccepted = new MessageAccepted { MessageId = ByteString.CopyFrom(new byte[16]) } }.ToByteArray();
        var answerPacket = RelayPacket.SealResponse(reply, answer, random);
        return new JsonObject
        {
            ["description"] = "Purr relay packet vectors v1: see RelayPacketVectorTests.cs and PROTOCOL.md 15. Random bytes come from SeededRandomSource "
                + "(PROTOCOL.md 10.7), one stream: the server's X25519 secret (32), the ephemeral secret (32), the request nonce (24), the answer nonce (24).",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["inputs"] = new JsonObject
            {
                ["serverSecret"] = Convert.ToHexStringLower(serverSecret),
                ["serverPublic"] = Convert.ToHexStringLower(server.PublicKey),
                ["ephemeralPublic"] = Convert.ToHexStringLower(ephemeral.PublicKey),
                ["responseKey"] = Convert.ToHexStringLower(reply.ResponseKey),
            },
            ["request"] = new JsonObject { ["message"] = Convert.ToHexStringLower(message), ["packet"] = Convert.ToHexStringLower(packet) },
            ["response"] = new JsonObject { ["message"] = Convert.ToHexStringLower(answer), ["packet"] = Convert.ToHexStringLower(answerPacket) },
        };
    }

    private static byte[] Hex(JsonNode node, string section, string name) => Convert.FromHexString(node[section]![name]!.GetValue<string>());
}
