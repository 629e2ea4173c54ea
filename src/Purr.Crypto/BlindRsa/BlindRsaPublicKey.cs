using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace Purr.Crypto.BlindRsa;

/// <summary>
/// An RSA public key for RFC 9474 blind signatures, carried on the wire as its modulus and public exponent
/// (big-endian, no leading zero bytes). Its id is SHA-256(u16 len(n) ‖ n ‖ u16 len(e) ‖ e).
/// </summary>
public sealed class BlindRsaPublicKey
{
    /// <summary>Smaller moduli are refused: RFC 9474 asks for at least 2048 bits.</summary>
    public const int MinModulusBits = 2048;

    /// <summary>Larger moduli are refused, which bounds the work one key can cost a verifier.</summary>
    public const int MaxModulusBits = 4096;

    internal BlindRsaPublicKey(BigInteger modulus, BigInteger exponent)
    {
        Modulus = modulus;
        Exponent = exponent;
        ModulusBytes = (modulus.BitLength + 7) / 8;
        ModulusBigEndian = modulus.ToByteArrayUnsigned();
        ExponentBigEndian = exponent.ToByteArrayUnsigned();
        KeyId = ComputeKeyId(ModulusBigEndian, ExponentBigEndian);
    }

    public byte[] ModulusBigEndian { get; }

    public byte[] ExponentBigEndian { get; }

    /// <summary>The modulus length in bytes (k in RFC 9474): every blinded message, blind signature and signature has it.</summary>
    public int ModulusBytes { get; }

    public byte[] KeyId { get; }

    internal BigInteger Modulus { get; }

    internal BigInteger Exponent { get; }

    internal RsaKeyParameters Parameters => new(false, Modulus, Exponent);

    /// <summary>Reads a key from the wire; null when the modulus or exponent is out of range (odd, 2048..4096 bits, e odd and > 1).</summary>
    public static BlindRsaPublicKey? TryFrom(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        if (modulus.IsEmpty || exponent.IsEmpty || exponent.Length > 8 || modulus[0] == 0 || exponent[0] == 0)
        {
            return null;
        }

        var n = new BigInteger(1, modulus.ToArray());
        var e = new BigInteger(1, exponent.ToArray());
        if (n.BitLength is < MinModulusBits or > MaxModulusBits || !n.TestBit(0) || !e.TestBit(0) || e.CompareTo(BigInteger.One) <= 0)
        {
            return null;
        }

        return new BlindRsaPublicKey(n, e);
    }

    private static byte[] ComputeKeyId(byte[] modulus, byte[] exponent)
    {
        var input = new byte[2 + modulus.Length + 2 + exponent.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(input, (ushort)modulus.Length);
        modulus.CopyTo(input, 2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(2 + modulus.Length), (ushort)exponent.Length);
        exponent.CopyTo(input, 4 + modulus.Length);
        return SHA256.HashData(input);
    }
}
