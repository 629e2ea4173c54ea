namespace Purr.Crypto;

/// <summary>An X25519 key pair whose secret half lives in guarded memory.</summary>
public sealed class X25519KeyPair : IDisposable
{
    private readonly GuardedBuffer secret;

    private X25519KeyPair(byte[] publicKey, GuardedBuffer secret)
    {
        PublicKey = publicKey;
        this.secret = secret;
    }

    public byte[] PublicKey { get; }

    public static X25519KeyPair Generate()
    {
        Span<byte> secretKey = stackalloc byte[X25519.KeyBytes];
        SecureRandom.Fill(secretKey);
        try
        {
            return FromSecret(secretKey);
        }
        finally
        {
            ConstantTime.Zero(secretKey);
        }
    }

    public static X25519KeyPair FromSecret(ReadOnlySpan<byte> secretKey)
    {
        var publicKey = new byte[X25519.KeyBytes];
        X25519.PublicKeyFromSecret(secretKey, publicKey);
        return new X25519KeyPair(publicKey, GuardedBuffer.From(secretKey));
    }

    public void CopySecret(Span<byte> destination)
    {
        if (destination.Length != X25519.KeyBytes)
        {
            throw new ArgumentException($"destination must be {X25519.KeyBytes} bytes", nameof(destination));
        }

        var target = new byte[X25519.KeyBytes];
        secret.Read(s => s.CopyTo(target));
        target.CopyTo(destination);
        ConstantTime.Zero(target);
    }

    /// <summary>The shared secret with <paramref name="peerPublicKey"/>, or null for a low-order peer key.</summary>
    public byte[]? Agree(ReadOnlySpan<byte> peerPublicKey)
    {
        var peer = peerPublicKey.ToArray();
        var shared = new byte[X25519.KeyBytes];
        var ok = secret.Read(s => X25519.TryAgree(s, peer, shared));
        return ok ? shared : null;
    }

    public void Dispose() => secret.Dispose();
}
