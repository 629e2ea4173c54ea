using Purr.Crypto;

namespace Purr.Client.EndToEnd;

/// <summary>The private halves of a card's keys, kept by its creator until the card is answered.</summary>
public sealed class CardSecrets(Ed25519KeyPair identity, X25519KeyPair identityDh, X25519KeyPair prekey) : IDisposable
{
    public Ed25519KeyPair Identity { get; } = identity;

    public X25519KeyPair IdentityDh { get; } = identityDh;

    public X25519KeyPair Prekey { get; } = prekey;

    public static CardSecrets Generate(IRandomSource random) => new(
        Ed25519KeyPair.FromSeed(KeyMaterial.Draw(random, Ed25519.SeedBytes)),
        X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes)),
        X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes)));

    public void Dispose()
    {
        Identity.Dispose();
        IdentityDh.Dispose();
        Prekey.Dispose();
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
