namespace Purr.Crypto.Tests;

/// <summary>libsodium's sealed boxes, as mailbox keys travel (PROTOCOL.md 4): only the key's holder opens one, intact.</summary>
public sealed class SealedBoxTests
{
    [Fact]
    public void A_sealed_box_opens_only_with_its_key_and_only_unaltered()
    {
        using var recipient = X25519KeyPair.Generate();
        using var other = X25519KeyPair.Generate();
        var message = SecureRandom.Bytes(32);

        var sealedBox = SealedBox.Seal(message, recipient.PublicKey)!;
        Assert.Equal(message.Length + SealedBox.OverheadBytes, sealedBox.Length);
        Assert.Equal(message, SealedBox.Open(sealedBox, recipient));
        // Randomised: a fresh ephemeral key each time.
        Assert.NotEqual(sealedBox, SealedBox.Seal(message, recipient.PublicKey));
        Assert.Null(SealedBox.Open(sealedBox, other));

        for (var i = 0; i < sealedBox.Length; i += 7)
        {
            var altered = sealedBox.ToArray();
            altered[i] ^= 0x01;
            Assert.Null(SealedBox.Open(altered, recipient));
        }

        Assert.Null(SealedBox.Open(sealedBox.AsSpan(0, SealedBox.OverheadBytes - 1), recipient));
        Assert.Empty(SealedBox.Open(SealedBox.Seal([], recipient.PublicKey), recipient)!);
    }

    [Fact]
    public void Nothing_is_sealed_to_a_low_order_point_and_a_wrong_length_key_is_an_error()
    {
        var identity = new byte[32];
        identity[0] = 1;
        Assert.Null(SealedBox.Seal(new byte[32], identity));
        Assert.Null(SealedBox.Seal(new byte[32], new byte[32]));
        Assert.Throws<ArgumentException>(() => SealedBox.Seal(new byte[32], new byte[31]));
    }
}
