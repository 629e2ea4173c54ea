using System.Text.Json;
using Purr.Crypto.Noise;
using Purr.TestKit;

namespace Purr.Crypto.Tests;

/// <summary>Noise_NX_25519_ChaChaPoly_SHA256 against the Cacophony vector, then the refusals the MQTT transport relies on.</summary>
public sealed class NoiseNxTests
{
    [Fact]
    public void Reproduces_the_cacophony_vector()
    {
        var vector = Vector();
        using var initiatorEphemeral = X25519KeyPair.FromSecret(vector.Hex("init_ephemeral"));
        using var responderStatic = X25519KeyPair.FromSecret(vector.Hex("resp_static"));
        using var responderEphemeral = X25519KeyPair.FromSecret(vector.Hex("resp_ephemeral"));
        var initiator = NoiseNx.Initiator(vector.Hex("init_prologue"), initiatorEphemeral);
        var responder = NoiseNx.Responder(vector.Hex("resp_prologue"), responderStatic, responderEphemeral);
        var messages = vector.GetProperty("messages").EnumerateArray().ToList();

        var first = initiator.WriteFirst(messages[0].Hex("payload"));
        Assert.Equal(messages[0].Hex("ciphertext"), first);
        Assert.Equal(messages[0].Hex("payload"), responder.ReadFirst(first));

        var second = responder.WriteSecond(messages[1].Hex("payload"));
        Assert.Equal(messages[1].Hex("ciphertext"), second);
        Assert.Equal(messages[1].Hex("payload"), initiator.ReadSecond(second!));
        Assert.Equal(responderStatic.PublicKey, initiator.RemoteStaticKey);
        Assert.Equal(vector.Hex("handshake_hash"), initiator.HandshakeHash);
        Assert.Equal(vector.Hex("handshake_hash"), responder.HandshakeHash);

        var (initiatorSend, initiatorReceive) = initiator.Split();
        var (responderReceive, responderSend) = responder.Split();
        for (var i = 2; i < messages.Count; i++)
        {
            // Transport messages alternate, the initiator first.
            var (send, receive) = i % 2 == 0 ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive);
            var ciphertext = send.EncryptWithAd([], messages[i].Hex("payload"));
            Assert.Equal(messages[i].Hex("ciphertext"), ciphertext);
            Assert.Equal(messages[i].Hex("payload"), receive.DecryptWithAd([], ciphertext));
        }
    }

    [Fact]
    public void A_tampered_second_message_or_a_different_prologue_does_not_authenticate()
    {
        using var serverStatic = X25519KeyPair.Generate();
        var initiator = NoiseNx.Initiator("purr"u8);
        var responder = NoiseNx.Responder("purr"u8, serverStatic);
        responder.ReadFirst(initiator.WriteFirst([]));
        var second = responder.WriteSecond("payload"u8)!;
        second[^1] ^= 1;
        Assert.Null(initiator.ReadSecond(second));
        Assert.Null(initiator.RemoteStaticKey);

        var other = NoiseNx.Initiator("not purr"u8);
        var otherResponder = NoiseNx.Responder("purr"u8, serverStatic);
        otherResponder.ReadFirst(other.WriteFirst([]));
        Assert.Null(other.ReadSecond(otherResponder.WriteSecond([])!));
    }

    [Fact]
    public void A_low_order_ephemeral_key_is_refused()
    {
        using var serverStatic = X25519KeyPair.Generate();
        var responder = NoiseNx.Responder([], serverStatic);
        Assert.NotNull(responder.ReadFirst(new byte[32]));
        Assert.Null(responder.WriteSecond([]));
    }

    [Fact]
    public void Transport_messages_are_refused_out_of_order_and_the_nonce_stays()
    {
        using var serverStatic = X25519KeyPair.Generate();
        var initiator = NoiseNx.Initiator([]);
        var responder = NoiseNx.Responder([], serverStatic);
        responder.ReadFirst(initiator.WriteFirst([]));
        initiator.ReadSecond(responder.WriteSecond([])!);
        var (send, _) = initiator.Split();
        var (receive, _) = responder.Split();
        var one = send.EncryptWithAd([], "one"u8);
        var two = send.EncryptWithAd([], "two"u8);
        Assert.Null(receive.DecryptWithAd([], two));
        Assert.Equal(0UL, receive.Nonce);
        Assert.Equal("one"u8.ToArray(), receive.DecryptWithAd([], one));
        Assert.Null(receive.DecryptWithAd([], one));
        Assert.Equal("two"u8.ToArray(), receive.DecryptWithAd([], two));
    }

    private static JsonElement Vector()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Crypto.Tests", "Vectors", "noise-nx.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors")[0].Clone();
    }
}
