using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace Purr.Crypto.BlindRsa;

/// <summary>The signer's half of RFC 9474: an RSA private key (CRT form), stored as PKCS#8 DER.</summary>
public sealed class BlindRsaPrivateKey
{
    private readonly RsaPrivateCrtKeyParameters key;

    private BlindRsaPrivateKey(RsaPrivateCrtKeyParameters key)
    {
        this.key = key;
        PublicKey = new BlindRsaPublicKey(key.Modulus, key.PublicExponent);
    }

    public BlindRsaPublicKey PublicKey { get; }

    /// <summary>A fresh key with public exponent 65537.</summary>
    public static BlindRsaPrivateKey Generate(int modulusBits = 2048)
    {
        if (modulusBits is < BlindRsaPublicKey.MinModulusBits or > BlindRsaPublicKey.MaxModulusBits)
        {
            throw new ArgumentOutOfRangeException(nameof(modulusBits), $"must be {BlindRsaPublicKey.MinModulusBits}..{BlindRsaPublicKey.MaxModulusBits}");
        }

        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), new Org.BouncyCastle.Security.SecureRandom(), modulusBits, 112));
        return new BlindRsaPrivateKey((RsaPrivateCrtKeyParameters)generator.GenerateKeyPair().Private);
    }

    /// <summary>A key from its parts (test vectors give p, q, e).</summary>
    public static BlindRsaPrivateKey FromPrimes(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, ReadOnlySpan<byte> e)
    {
        var bp = new BigInteger(1, p.ToArray());
        var bq = new BigInteger(1, q.ToArray());
        var be = new BigInteger(1, e.ToArray());
        var n = bp.Multiply(bq);
        var phi = bp.Subtract(BigInteger.One).Multiply(bq.Subtract(BigInteger.One));
        var d = be.ModInverse(phi);
        return new BlindRsaPrivateKey(new RsaPrivateCrtKeyParameters(
            n, be, d, bp, bq, d.Mod(bp.Subtract(BigInteger.One)), d.Mod(bq.Subtract(BigInteger.One)), bq.ModInverse(bp)));
    }

    public static BlindRsaPrivateKey FromPkcs8(byte[] der) =>
        PrivateKeyFactory.CreateKey(der) is RsaPrivateCrtKeyParameters rsa
            ? new BlindRsaPrivateKey(rsa)
            : throw new FormatException("not an RSA private key");

    public byte[] ToPkcs8() => PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded();

    /// <summary>RSASP1 (RFC 8017 5.2.1) with the engine's own base blinding against timing.</summary>
    internal BigInteger Sign(BigInteger m)
    {
        var engine = new RsaBlindedEngine();
        engine.Init(true, new ParametersWithRandom(key, new Org.BouncyCastle.Security.SecureRandom()));
        var input = BigIntegers.AsUnsignedByteArray(PublicKey.ModulusBytes, m);
        var output = engine.ProcessBlock(input, 0, input.Length);
        return new BigInteger(1, output);
    }
}
