using System.Buffers.Binary;

namespace Purr.Crypto.Noise;

/// <summary>
/// A Noise CipherState (Noise Protocol Framework, revision 34, section 5.1) for ChaChaPoly: ChaCha20-Poly1305
/// (RFC 8439) with a 64-bit counter nonce, little-endian after four zero bytes. Not thread-safe: one per direction.
/// </summary>
public sealed class NoiseCipherState
{
    private byte[]? key;

    public NoiseCipherState(ReadOnlySpan<byte> key = default)
    {
        if (!key.IsEmpty)
        {
            InitializeKey(key);
        }
    }

    public bool HasKey => key is not null;

    /// <summary>The next nonce; a state refuses to encrypt or decrypt once it would reach 2^64 - 1.</summary>
    public ulong Nonce { get; private set; }

    public void InitializeKey(ReadOnlySpan<byte> newKey)
    {
        Lengths.Require(newKey, Aead.KeyBytes, nameof(newKey));
        key = newKey.ToArray();
        Nonce = 0;
    }

    public byte[] EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        if (key is null)
        {
            return plaintext.ToArray();
        }

        var output = new byte[plaintext.Length + Aead.TagBytes];
        Aead.ChaCha20Poly1305Ietf.Encrypt(key, NextNonce(), plaintext, associatedData, output);
        return output;
    }

    /// <summary>The plaintext, or null when authentication fails (the nonce then does not advance, as the spec says).</summary>
    public byte[]? DecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (key is null)
        {
            return ciphertext.ToArray();
        }

        if (ciphertext.Length < Aead.TagBytes)
        {
            return null;
        }

        var output = new byte[ciphertext.Length - Aead.TagBytes];
        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, Nonce);
        if (!Aead.ChaCha20Poly1305Ietf.TryDecrypt(key, nonce, ciphertext, associatedData, output))
        {
            return null;
        }

        Advance();
        return output;
    }

    private byte[] NextNonce()
    {
        var nonce = new byte[12];
        WriteNonce(nonce, Nonce);
        Advance();
        return nonce;
    }

    private void Advance()
    {
        if (Nonce == ulong.MaxValue - 1)
        {
            throw new InvalidOperationException("this Noise cipher state has used every nonce");
        }

        Nonce++;
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }
}
