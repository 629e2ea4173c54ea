using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// The ChaCha20 stream cipher (RFC 8439, 96-bit nonce, counter from 0) through libsodium, for constructions that need
/// a bare keystream (the onion layers of PROTOCOL.md section 15.5, as in BOLT 4's Sphinx). Each key is used for one
/// stream only, so the nonce is all zeros.
/// </summary>
public static class ChaCha20
{
    public const int KeyBytes = 32;

    private const int NonceBytes = 12;

    /// <summary>XORs <paramref name="data"/> in place with the keystream of <paramref name="key"/> (zero nonce).</summary>
    public static void Xor(ReadOnlySpan<byte> key, Span<byte> data)
    {
        Lengths.Require(key, KeyBytes, nameof(key));
        if (data.IsEmpty)
        {
            return;
        }

        Sodium.EnsureAvailable();
        Span<byte> nonce = stackalloc byte[NonceBytes];
        nonce.Clear();
        _ = LibSodium.crypto_stream_chacha20_ietf_xor(
            ref MemoryMarshal.GetReference(data),
            ref MemoryMarshal.GetReference(data),
            (ulong)data.Length,
            ref MemoryMarshal.GetReference(nonce),
            ref MemoryMarshal.GetReference(key));
    }

    /// <summary>The first <paramref name="output"/>.Length bytes of the keystream of <paramref name="key"/>.</summary>
    public static void Keystream(ReadOnlySpan<byte> key, Span<byte> output)
    {
        output.Clear();
        Xor(key, output);
    }
}
