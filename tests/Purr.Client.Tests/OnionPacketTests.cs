using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Purr.Crypto;
using Purr.Protocol.Federation;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Onion packets (PROTOCOL.md section 15.5): every hop peels exactly its layer and learns only the next address, every
/// packet and answer has one size at every hop, a change anywhere is caught by the next hop, answers open at the client
/// naming the hop that sealed them; and vectors (Vectors/onion-v1.json, seeded randomness) for other implementations.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class OnionPacketTests
{
    private const string FileName = "onion-v1.json";
    private const long SentAt = 1_793_620_800;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Each_hop_peels_its_layer_and_learns_only_the_next_hop_and_every_packet_has_one_size(int hops)
    {
        var keys = Enumerable.Range(0, hops).Select(_ => X25519KeyPair.Generate()).ToList();
        var next = Enumerable.Range(1, hops - 1).Select(i => $"purr://hop{i}.example:7443").ToList();
        var message = RandomNumberGenerator.GetBytes(20_600);
        var (packet, replyKeys) = OnionPacket.Build([.. keys.Select(k => k.PublicKey)], next, message, SentAt, Secret(), SystemRandomSource.Instance);

        var peeled = new List<PeeledOnion>();
        var current = packet;
        for (var i = 0; i < hops; i++)
        {
            Assert.Equal(OnionPacket.PacketBytes, current.Length);
            var layer = OnionPacket.Peel(keys[i], current)!;
            Assert.True(layer.MacValid);
            Assert.Equal(SentAt, layer.SentAt);
            peeled.Add(layer);
            if (i < hops - 1)
            {
                Assert.Equal(OnionInstruction.Forward, layer.Instruction);
                Assert.Equal(next[i], layer.NextAddress);
                current = layer.Inner;
            }
            else
            {
                Assert.Equal(OnionInstruction.Exit, layer.Instruction);
                Assert.Equal(message, layer.Inner);
            }
        }

        // A layer for one hop does not open for another: nobody but hop i peels layer i.
        if (hops > 1)
        {
            Assert.False(OnionPacket.Peel(keys[1], packet)!.MacValid);
        }

        // Any hop may seal the answer (the exit's answer, or an error); the hops before it wrap it; the client names the hop.
        for (var origin = 0; origin < hops; origin++)
        {
            var answer = RandomNumberGenerator.GetBytes(origin * 100);
            var reply = OnionPacket.SealReply(peeled[origin].Keys, answer);
            for (var back = origin - 1; back >= 0; back--)
            {
                Assert.Equal(OnionPacket.ReplyBytes, reply.Length);
                OnionPacket.WrapReply(peeled[back].Keys, reply);
            }

            var opened = OnionPacket.OpenReply(replyKeys, reply)!;
            Assert.Equal(origin, opened.Hop);
            Assert.Equal(answer, opened.Message);
            reply[^1] ^= 1;
            Assert.Null(OnionPacket.OpenReply(replyKeys, reply));
        }

        keys.ForEach(k => k.Dispose());
    }

    [Fact]
    public void A_change_anywhere_in_a_layer_is_refused_by_the_hop_that_peels_it_and_packets_of_other_sizes_not_at_all()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => X25519KeyPair.Generate()).ToList();
        var (packet, _) = OnionPacket.Build([.. keys.Select(k => k.PublicKey)], ["purr://b.example", "purr://c.example"], "exit"u8, SentAt, Secret(), SystemRandomSource.Instance);
        foreach (var position in new[] { 1, 40, OnionPacket.HeaderBytes - 1, OnionPacket.HeaderBytes, OnionPacket.PacketBytes - 1 })
        {
            var tampered = (byte[])packet.Clone();
            tampered[position] ^= 0x01;
            var layer = OnionPacket.Peel(keys[0], tampered);
            Assert.True(layer is null || !layer.MacValid, $"a change at byte {position} went unnoticed");
        }

        // Changed after the first hop (by it, or on the link to the second): the second hop refuses it.
        var inner = OnionPacket.Peel(keys[0], packet)!.Inner;
        inner[OnionPacket.PacketBytes - 10] ^= 0x80;
        Assert.False(OnionPacket.Peel(keys[1], inner)!.MacValid);

        Assert.Null(OnionPacket.Peel(keys[0], packet.AsSpan(0, packet.Length - 1)));
        var version = (byte[])packet.Clone();
        version[0] = 2;
        Assert.Null(OnionPacket.Peel(keys[0], version));
        Assert.Throws<ArgumentException>(() => OnionPacket.Build([.. Enumerable.Range(0, 6).Select(_ => keys[0].PublicKey)], [.. Enumerable.Repeat("purr://x", 5)], [], SentAt, Secret(), SystemRandomSource.Instance));
        Assert.Throws<ArgumentException>(() => OnionPacket.Build([keys[0].PublicKey], [], new byte[OnionPacket.MaxExitMessageBytes + 1], SentAt, Secret(), SystemRandomSource.Instance));
        keys.ForEach(k => k.Dispose());
    }

    [Fact]
    public void Onion_vectors_reproduce_byte_for_byte_and_peel()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the onion packet vectors changed");
    }

    private static byte[] Secret() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A three-hop route A → B → C (C the exit) from seeded randomness, with what each hop sees and the exit's answer.</summary>
    private static JsonObject Generate()
    {
        var seed = "purr vector seed: onion"u8.ToArray();
        var random = new SeededRandomSource(seed);
        var hopSecrets = Enumerable.Range(0, 3).Select(_ => Bytes(random, 32)).ToList();
        var hops = hopSecrets.Select(s => X25519KeyPair.FromSecret(s)).ToList();
        var ephemeral = Bytes(random, 32);
        string[] next = ["purr://AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@b.example:7443", "purr://BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB@c.example:7443"];
        var exit = "the exit's request"u8.ToArray();
        var (packet, replyKeys) = OnionPacket.Build([.. hops.Select(h => h.PublicKey)], next, exit, SentAt, ephemeral, random);

        var perHop = new JsonArray();
        var current = packet;
        var layers = new List<PeeledOnion>();
        for (var i = 0; i < hops.Count; i++)
        {
            var layer = OnionPacket.Peel(hops[i], current)!;
            layers.Add(layer);
            perHop.Add(new JsonObject
            {
                ["x25519Secret"] = Convert.ToHexStringLower(hopSecrets[i]),
                ["x25519Public"] = Convert.ToHexStringLower(hops[i].PublicKey),
                ["alpha"] = Convert.ToHexStringLower(current.AsSpan(1, 32)),
                ["packetSha256"] = Convert.ToHexStringLower(SHA256.HashData(current)),
                ["replayTag"] = Convert.ToHexStringLower(layer.ReplayTag),
                ["replyMacKey"] = Convert.ToHexStringLower(replyKeys.Hops[i].ReplyMacKey),
                ["replyStreamKey"] = Convert.ToHexStringLower(replyKeys.Hops[i].ReplyStreamKey),
                ["instruction"] = (int)layer.Instruction,
                ["next"] = layer.NextAddress,
            });
            current = layer.Inner;
        }

        var answer = "the exit's answer"u8.ToArray();
        var reply = OnionPacket.SealReply(layers[2].Keys, answer);
        var replyAtExit = Convert.ToHexStringLower(SHA256.HashData(reply));
        OnionPacket.WrapReply(layers[1].Keys, reply);
        OnionPacket.WrapReply(layers[0].Keys, reply);
        Assert.Equal(answer, OnionPacket.OpenReply(replyKeys, reply)!.Message);
        hops.ForEach(h => h.Dispose());
        return new JsonObject
        {
            ["description"] = "Purr onion packet vectors v1: see OnionPacketTests.cs and PROTOCOL.md 15.5. Random bytes come from SeededRandomSource "
                + "(PROTOCOL.md 10.7), one stream: the three hops' X25519 secrets (32 each), the ephemeral secret (32), the routing padding (1,920).",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["sentAt"] = SentAt,
            ["ephemeralSecret"] = Convert.ToHexStringLower(ephemeral),
            ["exitMessage"] = Convert.ToHexStringLower(exit),
            ["packet"] = Convert.ToHexStringLower(packet),
            ["hops"] = perHop,
            ["answer"] = Convert.ToHexStringLower(answer),
            ["replySha256AtExit"] = replyAtExit,
            ["replyAtClient"] = Convert.ToHexStringLower(reply),
        };
    }

    private static byte[] Bytes(SeededRandomSource random, int count)
    {
        var bytes = new byte[count];
        random.Fill(bytes);
        return bytes;
    }
}
