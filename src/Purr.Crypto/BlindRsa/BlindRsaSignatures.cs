using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace Purr.Crypto.BlindRsa;

/// <summary>
/// RFC 9474 RSA blind signatures, variant RSABSSA-SHA384-PSS-Deterministic (the one Privacy Pass tokens use:
/// the message is already random, so no prefix): SHA-384, MGF1 with SHA-384, a 48-byte PSS salt.
/// A client blinds a message, the signer signs the blinded message without learning it, the client finalizes
/// into an ordinary RSASSA-PSS signature that the signer cannot link to the blinded message it signed.
/// </summary>
public static class BlindRsaSignatures
{
    public const int SaltBytes = 48;
    private const int HashBytes = 48;

    /// <summary>Blind(pk, msg) (RFC 9474 4.2): the blinded message for the signer and the inverse to keep.</summary>
    public static BlindedMessage Blind(BlindRsaPublicKey key, ReadOnlySpan<byte> message, IRandomSource random)
    {
        var salt = new byte[SaltBytes];
        random.Fill(salt);
        while (true)
        {
            var r = RandomBelow(key.Modulus, random);
            if (r.Gcd(key.Modulus).Equals(BigInteger.One))
            {
                return Blind(key, message, salt, r);
            }
        }
    }

    /// <summary>Blind with a given salt and blinding factor r: for the RFC's test vectors only.</summary>
    internal static BlindedMessage Blind(BlindRsaPublicKey key, ReadOnlySpan<byte> message, byte[] salt, BigInteger r)
    {
        var k = key.ModulusBytes;
        var encoded = EncodePss(message, salt, key.Modulus.BitLength - 1);
        var m = new BigInteger(1, encoded);
        if (!m.Gcd(key.Modulus).Equals(BigInteger.One))
        {
            throw new CryptographicException("the encoded message is not coprime to the modulus");
        }

        var inverse = r.ModInverse(key.Modulus);
        var z = m.Multiply(r.ModPow(key.Exponent, key.Modulus)).Mod(key.Modulus);
        return new BlindedMessage(BigIntegers.AsUnsignedByteArray(k, z), BigIntegers.AsUnsignedByteArray(k, inverse));
    }

    /// <summary>
    /// BlindSign(sk, blinded_msg) (RFC 9474 4.3). Throws <see cref="CryptographicException"/> for a blinded message of the
    /// wrong length or not below the modulus, and when the signature does not verify (a fault must not leak the key).
    /// </summary>
    public static byte[] BlindSign(BlindRsaPrivateKey key, ReadOnlySpan<byte> blindedMessage)
    {
        var publicKey = key.PublicKey;
        if (blindedMessage.Length != publicKey.ModulusBytes)
        {
            throw new CryptographicException($"a blinded message is {publicKey.ModulusBytes} bytes");
        }

        var m = new BigInteger(1, blindedMessage.ToArray());
        if (m.CompareTo(publicKey.Modulus) >= 0)
        {
            throw new CryptographicException("the blinded message is not below the modulus");
        }

        var s = key.Sign(m);
        if (!s.ModPow(publicKey.Exponent, publicKey.Modulus).Equals(m))
        {
            throw new CryptographicException("the blind signature did not verify");
        }

        return BigIntegers.AsUnsignedByteArray(publicKey.ModulusBytes, s);
    }

    /// <summary>Finalize(pk, msg, blind_sig, inv) (RFC 9474 4.4): the signature, or a CryptographicException when it does not verify.</summary>
    public static byte[] Finalize(BlindRsaPublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> blindSignature, ReadOnlySpan<byte> inverse)
    {
        if (blindSignature.Length != key.ModulusBytes || inverse.Length != key.ModulusBytes)
        {
            throw new CryptographicException($"a blind signature is {key.ModulusBytes} bytes");
        }

        var z = new BigInteger(1, blindSignature.ToArray());
        var s = z.Multiply(new BigInteger(1, inverse.ToArray())).Mod(key.Modulus);
        var signature = BigIntegers.AsUnsignedByteArray(key.ModulusBytes, s);
        if (!Verify(key, message, signature))
        {
            throw new CryptographicException("the finalized signature does not verify");
        }

        return signature;
    }

    /// <summary>RSASSA-PSS-VERIFY (RFC 8017 8.1.2) with SHA-384, MGF1-SHA-384 and a 48-byte salt, by BouncyCastle's own PSS.</summary>
    public static bool Verify(BlindRsaPublicKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        // A signature not below the modulus is no signature (RFC 8017 5.2.2); BouncyCastle would throw on it, and
        // the bytes come from whoever sent a token.
        if (signature.Length != key.ModulusBytes || signature.SequenceCompareTo(key.ModulusBigEndian) >= 0)
        {
            return false;
        }

        var verifier = new PssSigner(new RsaEngine(), new Sha384Digest(), new Sha384Digest(), SaltBytes);
        verifier.Init(false, key.Parameters);
        var bytes = message.ToArray();
        verifier.BlockUpdate(bytes, 0, bytes.Length);
        try
        {
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Org.BouncyCastle.Crypto.CryptoException)
        {
            return false;
        }
    }

    /// <summary>EMSA-PSS-ENCODE (RFC 8017 9.1.1) with SHA-384 and MGF1-SHA-384.</summary>
    internal static byte[] EncodePss(ReadOnlySpan<byte> message, ReadOnlySpan<byte> salt, int emBits)
    {
        var emLength = (emBits + 7) / 8;
        if (emLength < HashBytes + salt.Length + 2)
        {
            throw new CryptographicException("the modulus is too small for this PSS encoding");
        }

        var messageHash = SHA384.HashData(message);
        var prime = new byte[8 + HashBytes + salt.Length];
        messageHash.CopyTo(prime, 8);
        salt.CopyTo(prime.AsSpan(8 + HashBytes));
        var h = SHA384.HashData(prime);

        var dbLength = emLength - HashBytes - 1;
        var db = new byte[dbLength];
        db[dbLength - salt.Length - 1] = 0x01;
        salt.CopyTo(db.AsSpan(dbLength - salt.Length));
        var mask = Mgf1(h, dbLength);
        for (var i = 0; i < dbLength; i++)
        {
            db[i] ^= mask[i];
        }

        db[0] &= (byte)(0xFF >> ((8 * emLength) - emBits));
        var encoded = new byte[emLength];
        db.CopyTo(encoded, 0);
        h.CopyTo(encoded, dbLength);
        encoded[^1] = 0xBC;
        return encoded;
    }

    private static byte[] Mgf1(byte[] seed, int length)
    {
        var output = new byte[length];
        var input = new byte[seed.Length + 4];
        seed.CopyTo(input, 0);
        for (uint counter = 0, offset = 0; offset < length; counter++, offset += HashBytes)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(seed.Length), counter);
            var block = SHA384.HashData(input);
            block.AsSpan(0, (int)Math.Min(HashBytes, length - offset)).CopyTo(output.AsSpan((int)offset));
        }

        return output;
    }

    /// <summary>A uniform integer in [1, n) by rejection: draw bit_len(n) bits, retry when 0 or not below n.</summary>
    private static BigInteger RandomBelow(BigInteger n, IRandomSource random)
    {
        var bytes = new byte[(n.BitLength + 7) / 8];
        var excessBits = (8 * bytes.Length) - n.BitLength;
        while (true)
        {
            random.Fill(bytes);
            bytes[0] &= (byte)(0xFF >> excessBits);
            var candidate = new BigInteger(1, bytes);
            if (candidate.SignValue > 0 && candidate.CompareTo(n) < 0)
            {
                return candidate;
            }
        }
    }
}

/// <summary>What Blind returns: the blinded message to send and the inverse to keep until Finalize.</summary>
public sealed record BlindedMessage(byte[] Message, byte[] Inverse);
