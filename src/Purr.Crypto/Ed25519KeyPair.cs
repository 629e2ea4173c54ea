namespace Purr.Crypto;

/// <summary>An Ed25519 key pair whose secret half lives in guarded memory.</summary>
public sealed class Ed25519KeyPair : IDisposable
{
    private readonly GuardedBuffer secret;

    private Ed25519KeyPair(byte[] publicKey, GuardedBuffer secret)
    {
        PublicKey = publicKey;
        this.secret = secret;
    }

    public byte[] PublicKey { get; }

    public static Ed25519KeyPair Generate()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedBytes];
        SecureRandom.Fill(seed);
        try
        {
            return FromSeed(seed);
        }
        finally
        {
            ConstantTime.Zero(seed);
        }
    }

    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        var publicKey = new byte[Ed25519.PublicKeyBytes];
        Span<byte> secretKey = stackalloc byte[Ed25519.SecretKeyBytes];
        try
        {
            Ed25519.KeyPairFromSeed(seed, publicKey, secretKey);
            return new Ed25519KeyPair(publicKey, GuardedBuffer.From(secretKey));
        }
        finally
        {
            ConstantTime.Zero(secretKey);
        }
    }

    /// <summary>The 32-byte seed (the first half of libsodium's secret key), for storing the key.</summary>
    public void CopySeed(Span<byte> destination)
    {
        if (destination.Length != Ed25519.SeedBytes)
        {
            throw new ArgumentException($"destination must be {Ed25519.SeedBytes} bytes", nameof(destination));
        }

        var target = destination.ToArray();
        secret.Read(s => s[..Ed25519.SeedBytes].CopyTo(target));
        target.CopyTo(destination);
        ConstantTime.Zero(target);
    }

    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Ed25519.SignatureBytes];
        var copy = message.ToArray();
        secret.Read(s => Ed25519.Sign(s, copy, signature));
        return signature;
    }

    public void Dispose() => secret.Dispose();
}
