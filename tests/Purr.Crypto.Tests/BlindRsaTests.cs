using System.Security.Cryptography;
using System.Text.Json;
using Org.BouncyCastle.Math;
using Purr.Crypto.BlindRsa;
using Purr.TestKit;

namespace Purr.Crypto.Tests;

/// <summary>RFC 9474 blind RSA signatures: the RFC's own vectors step by step, then round trips and refusals.</summary>
public sealed class BlindRsaTests
{
    public static TheoryData<string> VectorNames() => [.. Vectors().Select(v => v.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Reproduces_the_rfc_9474_vectors(string name)
    {
        var vector = Vectors().Single(v => v.GetProperty("name").GetString() == name);
        var key = BlindRsaPrivateKey.FromPrimes(vector.Hex("p"), vector.Hex("q"), vector.Hex("e"));
        Assert.Equal(vector.Hex("n"), key.PublicKey.ModulusBigEndian);

        var message = vector.Hex("prepared_msg");
        var salt = vector.Hex("salt");
        var r = new BigInteger(1, vector.Hex("inv")).ModInverse(new BigInteger(1, vector.Hex("n")));
        if (vector.TryGetProperty("encoded_msg", out _))
        {
            Assert.Equal(vector.Hex("encoded_msg"), BlindRsaSignatures.EncodePss(message, salt, key.PublicKey.ModulusBytes * 8 - 1));
        }

        var blinded = BlindRsaSignatures.Blind(key.PublicKey, message, salt, r);
        Assert.Equal(vector.Hex("blinded_msg"), blinded.Message);
        Assert.Equal(vector.Hex("inv"), blinded.Inverse);

        var blindSignature = BlindRsaSignatures.BlindSign(key, blinded.Message);
        Assert.Equal(vector.Hex("blind_sig"), blindSignature);

        var signature = BlindRsaSignatures.Finalize(key.PublicKey, message, blindSignature, blinded.Inverse);
        Assert.Equal(vector.Hex("sig"), signature);
        Assert.True(BlindRsaSignatures.Verify(key.PublicKey, message, signature));
    }

    [Fact]
    public void A_fresh_key_signs_blindly_and_the_signature_is_not_what_the_signer_saw()
    {
        var key = BlindRsaPrivateKey.Generate();
        var message = RandomNumberGenerator.GetBytes(64);
        var blinded = BlindRsaSignatures.Blind(key.PublicKey, message, SystemRandomSource.Instance);
        var blindSignature = BlindRsaSignatures.BlindSign(key, blinded.Message);
        var signature = BlindRsaSignatures.Finalize(key.PublicKey, message, blindSignature, blinded.Inverse);

        Assert.True(BlindRsaSignatures.Verify(key.PublicKey, message, signature));
        Assert.NotEqual(blindSignature, signature);
        Assert.NotEqual(blinded.Message, signature);
        // Two blindings of one message look unrelated to the signer.
        Assert.NotEqual(blinded.Message, BlindRsaSignatures.Blind(key.PublicKey, message, SystemRandomSource.Instance).Message);
    }

    [Fact]
    public void Wrong_messages_keys_and_lengths_are_refused()
    {
        var key = BlindRsaPrivateKey.Generate();
        var other = BlindRsaPrivateKey.Generate();
        var message = RandomNumberGenerator.GetBytes(64);
        var blinded = BlindRsaSignatures.Blind(key.PublicKey, message, SystemRandomSource.Instance);
        var blindSignature = BlindRsaSignatures.BlindSign(key, blinded.Message);
        var signature = BlindRsaSignatures.Finalize(key.PublicKey, message, blindSignature, blinded.Inverse);

        var altered = (byte[])message.Clone();
        altered[0] ^= 1;
        Assert.False(BlindRsaSignatures.Verify(key.PublicKey, altered, signature));
        Assert.False(BlindRsaSignatures.Verify(other.PublicKey, message, signature));
        Assert.False(BlindRsaSignatures.Verify(key.PublicKey, message, signature.AsSpan(1)));
        // Not below the modulus: refused, never thrown (a token's signature is whatever its sender wrote).
        Assert.False(BlindRsaSignatures.Verify(key.PublicKey, message, Enumerable.Repeat((byte)0xFF, key.PublicKey.ModulusBytes).ToArray()));
        Assert.False(BlindRsaSignatures.Verify(key.PublicKey, message, key.PublicKey.ModulusBigEndian));
        // A blind signature by another key does not finalize.
        Assert.Throws<CryptographicException>(() => BlindRsaSignatures.Finalize(key.PublicKey, message, BlindRsaSignatures.BlindSign(other, blinded.Message), blinded.Inverse));
        Assert.Throws<CryptographicException>(() => BlindRsaSignatures.BlindSign(key, blinded.Message.AsSpan(1)));
        Assert.Throws<CryptographicException>(() => BlindRsaSignatures.BlindSign(key, Enumerable.Repeat((byte)0xFF, key.PublicKey.ModulusBytes).ToArray()));
    }

    [Fact]
    public void Keys_survive_pkcs8_and_the_wire_form_and_bad_wire_keys_are_refused()
    {
        var key = BlindRsaPrivateKey.Generate();
        var reloaded = BlindRsaPrivateKey.FromPkcs8(key.ToPkcs8());
        Assert.Equal(key.PublicKey.KeyId, reloaded.PublicKey.KeyId);
        var wire = BlindRsaPublicKey.TryFrom(key.PublicKey.ModulusBigEndian, key.PublicKey.ExponentBigEndian);
        Assert.NotNull(wire);
        Assert.Equal(key.PublicKey.KeyId, wire.KeyId);

        Assert.Null(BlindRsaPublicKey.TryFrom(key.PublicKey.ModulusBigEndian.AsSpan(0, 128), key.PublicKey.ExponentBigEndian)); // 1024 bits
        Assert.Null(BlindRsaPublicKey.TryFrom(key.PublicKey.ModulusBigEndian, [1]));
        Assert.Null(BlindRsaPublicKey.TryFrom([0, .. key.PublicKey.ModulusBigEndian], key.PublicKey.ExponentBigEndian));
        Assert.Null(BlindRsaPublicKey.TryFrom(key.PublicKey.ModulusBigEndian, [0x01, 0x00, 0x00]));
    }

    private static List<JsonElement> Vectors()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Crypto.Tests", "Vectors", "rfc9474.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone())];
    }
}
