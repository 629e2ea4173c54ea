using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>Ed25519 signatures (RFC 8032) through libsodium, which rejects non-canonical encodings.</summary>
public static class Ed25519
{
    public const int PublicKeyBytes = 32;
    public const int SecretKeyBytes = 64;
    public const int SeedBytes = 32;
    public const int SignatureBytes = 64;

    /// <summary>Derives the key pair from a 32-byte seed; the 64-byte secret goes into <paramref name="secretKey"/>.</summary>
    public static void KeyPairFromSeed(ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey)
    {
        Lengths.Require(seed, SeedBytes, nameof(seed));
        Lengths.Require(publicKey, PublicKeyBytes, nameof(publicKey));
        Lengths.Require(secretKey, SecretKeyBytes, nameof(secretKey));
        Sodium.EnsureAvailable();
        _ = LibSodium.crypto_sign_ed25519_seed_keypair(
            ref MemoryMarshal.GetReference(publicKey),
            ref MemoryMarshal.GetReference(secretKey),
            ref MemoryMarshal.GetReference(seed));
    }

    public static void Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        Lengths.Require(secretKey, SecretKeyBytes, nameof(secretKey));
        Lengths.Require(signature, SignatureBytes, nameof(signature));
        Sodium.EnsureAvailable();
        _ = LibSodium.crypto_sign_ed25519_detached(
            ref MemoryMarshal.GetReference(signature),
            out _,
            ref MemoryMarshal.GetReference(message),
            (ulong)message.Length,
            ref MemoryMarshal.GetReference(secretKey));
    }

    /// <summary>False for a wrong signature, and for a key or signature of the wrong length.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyBytes || signature.Length != SignatureBytes)
        {
            return false;
        }

        Sodium.EnsureAvailable();
        return LibSodium.crypto_sign_ed25519_verify_detached(
            ref MemoryMarshal.GetReference(signature),
            ref MemoryMarshal.GetReference(message),
            (ulong)message.Length,
            ref MemoryMarshal.GetReference(publicKey)) == 0;
    }
}
