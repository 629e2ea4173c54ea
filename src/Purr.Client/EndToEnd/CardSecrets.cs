using Purr.Crypto;

namespace Purr.Client.EndToEnd;

/// <summary>
/// The private halves of a card's keys, kept by its creator until the card is answered. A post-quantum card
/// (version 2) also has the seed of its single-use ML-KEM-768 prekey; a classic card (version 1) has none.
/// </summary>
public sealed class CardSecrets(Ed25519KeyPair identity, X25519KeyPair identityDh, X25519KeyPair prekey, byte[]? kemSeed = null) : IDisposable
{
    public Ed25519KeyPair Identity { get; } = identity;

    public X25519KeyPair IdentityDh { get; } = identityDh;

    public X25519KeyPair Prekey { get; } = prekey;

    /// <summary>The 64-byte ML-KEM-768 seed of the card's post-quantum prekey; null on a classic card.</summary>
    public byte[]? KemSeed { get; } = kemSeed;

    /// <summary>A post-quantum card's secrets: the three X25519/Ed25519 keys, then the ML-KEM seed, in that order from the source.</summary>
    public static CardSecrets Generate(IRandomSource random)
    {
        var identity = Ed25519KeyPair.FromSeed(KeyMaterial.Draw(random, Ed25519.SeedBytes));
        var identityDh = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        var prekey = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        return new CardSecrets(identity, identityDh, prekey, KeyMaterial.Draw(random, MlKem768.SeedBytes));
    }

    /// <summary>A classic (version 1) card's secrets, as clients before the post-quantum handshake made them.</summary>
    public static CardSecrets GenerateClassic(IRandomSource random) => new(
        Ed25519KeyPair.FromSeed(KeyMaterial.Draw(random, Ed25519.SeedBytes)),
        X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes)),
        X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes)));

    public void Dispose()
    {
        Identity.Dispose();
        IdentityDh.Dispose();
        Prekey.Dispose();
        if (KemSeed is not null)
        {
            ConstantTime.Zero(KemSeed);
        }
    }
}

internal static class KeyMaterial
{
    public static byte[] Draw(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}
