using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// The two ChaCha20-Poly1305 AEADs from libsodium. Purr's own formats use XChaCha20-Poly1305
/// (random 24-byte nonces are safe); the 12-byte IETF variant is here for interoperability and vectors.
/// </summary>
public sealed class Aead
{
    public const int KeyBytes = 32;
    public const int TagBytes = 16;

    public static readonly Aead XChaCha20Poly1305 = new(
        24, LibSodium.crypto_aead_xchacha20poly1305_ietf_encrypt, LibSodium.crypto_aead_xchacha20poly1305_ietf_decrypt);

    public static readonly Aead ChaCha20Poly1305Ietf = new(
        12, LibSodium.crypto_aead_chacha20poly1305_ietf_encrypt, LibSodium.crypto_aead_chacha20poly1305_ietf_decrypt);

    private readonly EncryptFunction encrypt;
    private readonly DecryptFunction decrypt;

    private Aead(int nonceBytes, EncryptFunction encrypt, DecryptFunction decrypt)
    {
        NonceBytes = nonceBytes;
        this.encrypt = encrypt;
        this.decrypt = decrypt;
    }

    private delegate int EncryptFunction(
        ref byte c, out ulong clen, ref byte m, ulong mlen, ref byte ad, ulong adlen, nint nsec, ref byte npub, ref byte k);

    private delegate int DecryptFunction(
        ref byte m, out ulong mlen, nint nsec, ref byte c, ulong clen, ref byte ad, ulong adlen, ref byte npub, ref byte k);

    public int NonceBytes { get; }

    /// <summary>Writes ciphertext followed by the 16-byte tag; <paramref name="output"/> is plaintext + 16 bytes.</summary>
    public void Encrypt(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> associatedData, Span<byte> output)
    {
        Lengths.Require(key, KeyBytes, nameof(key));
        Lengths.Require(nonce, NonceBytes, nameof(nonce));
        if (output.Length != plaintext.Length + TagBytes)
        {
            throw new ArgumentException($"output must be plaintext length + {TagBytes} bytes", nameof(output));
        }

        Sodium.EnsureAvailable();
        VectorState.Clean();
        _ = encrypt(
            ref MemoryMarshal.GetReference(output), out _,
            ref MemoryMarshal.GetReference(plaintext), (ulong)plaintext.Length,
            ref MemoryMarshal.GetReference(associatedData), (ulong)associatedData.Length,
            0, ref MemoryMarshal.GetReference(nonce), ref MemoryMarshal.GetReference(key));
    }

    public byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[plaintext.Length + TagBytes];
        Encrypt(key, nonce, plaintext, associatedData, output);
        return output;
    }

    /// <summary>
    /// False when the tag does not verify or the ciphertext is shorter than a tag; the output is then zeroed.
    /// <paramref name="output"/> is ciphertext length - 16 bytes.
    /// </summary>
    public bool TryDecrypt(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> associatedData, Span<byte> output)
    {
        Lengths.Require(key, KeyBytes, nameof(key));
        Lengths.Require(nonce, NonceBytes, nameof(nonce));
        if (ciphertext.Length < TagBytes)
        {
            return false;
        }

        if (output.Length != ciphertext.Length - TagBytes)
        {
            throw new ArgumentException($"output must be ciphertext length - {TagBytes} bytes", nameof(output));
        }

        Sodium.EnsureAvailable();
        VectorState.Clean();
        var ok = decrypt(
            ref MemoryMarshal.GetReference(output), out _, 0,
            ref MemoryMarshal.GetReference(ciphertext), (ulong)ciphertext.Length,
            ref MemoryMarshal.GetReference(associatedData), (ulong)associatedData.Length,
            ref MemoryMarshal.GetReference(nonce), ref MemoryMarshal.GetReference(key)) == 0;
        if (!ok)
        {
            ConstantTime.Zero(output);
        }

        return ok;
    }

    public byte[]? Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < TagBytes)
        {
            return null;
        }

        var output = new byte[ciphertext.Length - TagBytes];
        return TryDecrypt(key, nonce, ciphertext, associatedData, output) ? output : null;
    }
}
