using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;

namespace Purr.Crypto;

/// <summary>
/// ML-KEM-768 (FIPS 203) from BouncyCastle: libsodium has no post-quantum KEM, and .NET's own MLKem
/// needs an OpenSSL newer than Debian 12's. A decapsulation key is kept as its 64-byte seed (d ‖ z,
/// FIPS 203 section 7.1) and expanded when used, so stored profiles stay small. Randomness comes from
/// an <see cref="IRandomSource"/>, so the cross-implementation vectors can fix it.
/// </summary>
public static class MlKem768
{
    public const int SeedBytes = 64;
    public const int EncapsulationKeyBytes = 1184;
    public const int CiphertextBytes = 1088;
    public const int SharedSecretBytes = 32;

    /// <summary>The 32-byte message m that FIPS 203 ML-KEM.Encaps draws.</summary>
    public const int EncapsulationRandomBytes = 32;

    private const int Q = 3329;

    /// <summary>The encapsulation key ek of the key pair a 64-byte seed expands to (ML-KEM.KeyGen_internal).</summary>
    public static byte[] PublicKeyFromSeed(ReadOnlySpan<byte> seed) => PrivateKey(seed).GetPublicKey().GetEncoded();

    /// <summary>
    /// Encapsulates to <paramref name="encapsulationKey"/>; null when the key fails FIPS 203's input
    /// checks (its length, or a coefficient not reduced modulo q).
    /// </summary>
    public static (byte[] Ciphertext, byte[] SharedSecret)? Encapsulate(ReadOnlySpan<byte> encapsulationKey, IRandomSource random)
    {
        if (!IsValidEncapsulationKey(encapsulationKey))
        {
            return null;
        }

        var message = new byte[EncapsulationRandomBytes];
        random.Fill(message);
        var publicKey = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, encapsulationKey.ToArray());
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(publicKey, new Org.BouncyCastle.Security.SecureRandom(new FixedBytes(message))));
        var ciphertext = new byte[CiphertextBytes];
        var secret = new byte[SharedSecretBytes];
        encapsulator.Encapsulate(ciphertext, 0, ciphertext.Length, secret, 0, secret.Length);
        ConstantTime.Zero(message);
        return (ciphertext, secret);
    }

    /// <summary>
    /// The shared secret for <paramref name="ciphertext"/>; null only for a ciphertext of the wrong length.
    /// A tampered ciphertext of the right length yields an unrelated secret (implicit rejection), which
    /// the protocol then notices when the key it derives opens nothing.
    /// </summary>
    public static byte[]? Decapsulate(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length != CiphertextBytes)
        {
            return null;
        }

        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(PrivateKey(seed));
        var secret = new byte[SharedSecretBytes];
        decapsulator.Decapsulate(ciphertext.ToArray(), 0, ciphertext.Length, secret, 0, secret.Length);
        return secret;
    }

    /// <summary>FIPS 203 section 7.2: the length, and every 12-bit coefficient of t̂ below q (the modulus check).</summary>
    public static bool IsValidEncapsulationKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != EncapsulationKeyBytes)
        {
            return false;
        }

        // t̂ is 1152 bytes: pairs of 12-bit coefficients packed little-endian into 3 bytes; ρ (32 bytes) follows.
        for (var i = 0; i < EncapsulationKeyBytes - 32; i += 3)
        {
            var first = key[i] | ((key[i + 1] & 0x0F) << 8);
            var second = (key[i + 1] >> 4) | (key[i + 2] << 4);
            if (first >= Q || second >= Q)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The expanded decapsulation key dk (2400 bytes), for checking the key generation against vectors.</summary>
    internal static byte[] DecapsulationKeyFromSeed(ReadOnlySpan<byte> seed) => PrivateKey(seed).GetEncoded();

    private static MLKemPrivateKeyParameters PrivateKey(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedBytes)
        {
            throw new ArgumentException($"an ML-KEM-768 seed is {SeedBytes} bytes", nameof(seed));
        }

        return MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, seed.ToArray());
    }

    /// <summary>Serves exactly the bytes it was given, so encapsulation uses Purr's randomness source.</summary>
    private sealed class FixedBytes(byte[] bytes) : IRandomGenerator
    {
        private int offset;

        public void AddSeedMaterial(byte[] seed)
        {
        }

        public void AddSeedMaterial(ReadOnlySpan<byte> seed)
        {
        }

        public void AddSeedMaterial(long seed)
        {
        }

        public void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

        public void NextBytes(byte[] buffer, int start, int len) => NextBytes(buffer.AsSpan(start, len));

        public void NextBytes(Span<byte> buffer)
        {
            if (offset + buffer.Length > bytes.Length)
            {
                throw new InvalidOperationException("ML-KEM asked for more randomness than FIPS 203 encapsulation uses");
            }

            bytes.AsSpan(offset, buffer.Length).CopyTo(buffer);
            offset += buffer.Length;
        }
    }
}
