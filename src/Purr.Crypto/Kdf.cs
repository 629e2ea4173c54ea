using System.Security.Cryptography;

namespace Purr.Crypto;

/// <summary>HKDF-SHA256 (RFC 5869) and HMAC-SHA256 from .NET, under the names Purr's specs use.</summary>
public static class Kdf
{
    public const int HashBytes = 32;

    /// <summary>Maximum HKDF-SHA256 output: 255 blocks of the hash.</summary>
    public const int MaxOutputBytes = 255 * HashBytes;

    public static void HkdfSha256(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.IsEmpty || output.Length > MaxOutputBytes)
        {
            throw new ArgumentException($"HKDF-SHA256 output must be 1..{MaxOutputBytes} bytes", nameof(output));
        }

        HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, output, salt, info);
    }

    public static byte[] HkdfSha256(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int outputBytes)
    {
        var output = new byte[outputBytes];
        HkdfSha256(inputKey, salt, info, output);
        return output;
    }

    public static void HmacSha256(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> output)
    {
        Lengths.Require(output, HashBytes, nameof(output));
        HMACSHA256.HashData(key, message, output);
    }
}
