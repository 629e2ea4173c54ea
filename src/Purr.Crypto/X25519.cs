using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>X25519 key agreement (RFC 7748) through libsodium.</summary>
public static class X25519
{
    public const int KeyBytes = 32;

    public static void PublicKeyFromSecret(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        Lengths.Require(secretKey, KeyBytes, nameof(secretKey));
        Lengths.Require(publicKey, KeyBytes, nameof(publicKey));
        Sodium.EnsureAvailable();
        _ = LibSodium.crypto_scalarmult_curve25519_base(
            ref MemoryMarshal.GetReference(publicKey), ref MemoryMarshal.GetReference(secretKey));
    }

    /// <summary>
    /// Computes the shared secret. Returns false when it would be all zeros (a low-order public key):
    /// libsodium refuses those, and so does Purr, since such a secret is known to everyone.
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, Span<byte> sharedSecret)
    {
        Lengths.Require(secretKey, KeyBytes, nameof(secretKey));
        Lengths.Require(publicKey, KeyBytes, nameof(publicKey));
        Lengths.Require(sharedSecret, KeyBytes, nameof(sharedSecret));
        Sodium.EnsureAvailable();
        return LibSodium.crypto_scalarmult_curve25519(
            ref MemoryMarshal.GetReference(sharedSecret),
            ref MemoryMarshal.GetReference(secretKey),
            ref MemoryMarshal.GetReference(publicKey)) == 0;
    }
}
