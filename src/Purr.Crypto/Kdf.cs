using System.Security.Cryptography;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// HKDF-SHA256 (RFC 5869) and HMAC-SHA256 (RFC 2104), under the names Purr's specs use: on OpenSSL's SHA-256 block
/// functions where libcrypto loads (a third of the cost of .NET's one-shot calls, which set up a context each time),
/// otherwise .NET's own. Both are checked against the same vectors (Wycheproof HKDF, RFC 4231).
/// </summary>
public static class Kdf
{
    public const int HashBytes = 32;

    /// <summary>Maximum HKDF-SHA256 output: 255 blocks of the hash.</summary>
    public const int MaxOutputBytes = 255 * HashBytes;

    /// <summary>HMAC keyed with zeros (HKDF's default salt, which every message key's expansion uses), prepared once.</summary>
    private static readonly HmacSha256Key ZeroKey = OpenSslSha256.IsAvailable ? new HmacSha256Key([]) : default;

    public static void HkdfSha256(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.IsEmpty || output.Length > MaxOutputBytes)
        {
            throw new ArgumentException($"HKDF-SHA256 output must be 1..{MaxOutputBytes} bytes", nameof(output));
        }

        if (!OpenSslSha256.IsAvailable)
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, output, salt, info);
            return;
        }

        // Extract: PRK = HMAC(salt, IKM) (an empty salt is HashLen zeros, which HMAC's zero padding makes the same key).
        Span<byte> block = stackalloc byte[HashBytes];
        if (salt.Length <= 64 && !salt.ContainsAnyExcept((byte)0))
        {
            ZeroKey.Compute(inputKey, [], [], block);
        }
        else
        {
            var extract = new HmacSha256Key(salt);
            extract.Compute(inputKey, [], [], block);
            extract.Clear();
        }

        // Expand: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), T(0) empty.
        var expand = new HmacSha256Key(block);
        Span<byte> counter = stackalloc byte[1];
        var previous = 0;
        for (var written = 0; written < output.Length; written += HashBytes)
        {
            counter[0] = (byte)(written / HashBytes + 1);
            expand.Compute(block[..previous], info, counter, block);
            previous = HashBytes;
            block[..Math.Min(HashBytes, output.Length - written)].CopyTo(output[written..]);
        }

        expand.Clear();
        CryptographicOperations.ZeroMemory(block);
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
        if (!OpenSslSha256.IsAvailable)
        {
            HMACSHA256.HashData(key, message, output);
            return;
        }

        var keyed = new HmacSha256Key(key);
        keyed.Compute(message, [], [], output);
        keyed.Clear();
    }

    /// <summary>Two HMAC-SHA256s under one key (a ratchet chain step's message key and next chain key): the key is prepared once.</summary>
    public static void HmacSha256(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> firstMessage, Span<byte> firstOutput, ReadOnlySpan<byte> secondMessage, Span<byte> secondOutput)
    {
        Lengths.Require(firstOutput, HashBytes, nameof(firstOutput));
        Lengths.Require(secondOutput, HashBytes, nameof(secondOutput));
        if (!OpenSslSha256.IsAvailable)
        {
            HMACSHA256.HashData(key, firstMessage, firstOutput);
            HMACSHA256.HashData(key, secondMessage, secondOutput);
            return;
        }

        var keyed = new HmacSha256Key(key);
        keyed.Compute(firstMessage, [], [], firstOutput);
        keyed.Compute(secondMessage, [], [], secondOutput);
        keyed.Clear();
    }
}
