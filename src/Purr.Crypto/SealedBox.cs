using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// libsodium's sealed boxes (crypto_box_seal): an anonymous sender encrypts to an X25519 public key with a fresh
/// ephemeral key (X25519, XSalsa20-Poly1305, the nonce BLAKE2b of both public keys). Only the key's holder opens it.
/// </summary>
public static class SealedBox
{
    /// <summary>The ephemeral public key and the Poly1305 tag a sealed box adds to its message.</summary>
    public const int OverheadBytes = 48;

    /// <summary>The sealed message, or null when <paramref name="publicKey"/> is a low-order point (no shared secret).</summary>
    public static byte[]? Seal(ReadOnlySpan<byte> message, ReadOnlySpan<byte> publicKey)
    {
        Lengths.Require(publicKey, X25519.KeyBytes, nameof(publicKey));
        Sodium.EnsureAvailable();
        var sealedBox = new byte[message.Length + OverheadBytes];
        return LibSodium.crypto_box_seal(
            ref MemoryMarshal.GetArrayDataReference(sealedBox),
            ref MemoryMarshal.GetReference(message), (ulong)message.Length,
            ref MemoryMarshal.GetReference(publicKey)) == 0
            ? sealedBox
            : null;
    }

    /// <summary>The message, or null when the box was not sealed to <paramref name="recipient"/> or was altered.</summary>
    public static byte[]? Open(ReadOnlySpan<byte> sealedBox, X25519KeyPair recipient)
    {
        if (sealedBox.Length < OverheadBytes)
        {
            return null;
        }

        Sodium.EnsureAvailable();
        var message = new byte[sealedBox.Length - OverheadBytes];
        Span<byte> secret = stackalloc byte[X25519.KeyBytes];
        try
        {
            recipient.CopySecret(secret);
            var opened = LibSodium.crypto_box_seal_open(
                ref MemoryMarshal.GetArrayDataReference(message),
                ref MemoryMarshal.GetReference(sealedBox), (ulong)sealedBox.Length,
                ref MemoryMarshal.GetArrayDataReference(recipient.PublicKey),
                ref MemoryMarshal.GetReference(secret)) == 0;
            return opened ? message : null;
        }
        finally
        {
            ConstantTime.Zero(secret);
        }
    }
}
