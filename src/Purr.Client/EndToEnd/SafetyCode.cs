using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Purr.Client.EndToEnd;

/// <summary>
/// A 60-digit code both sides of a contact compute from the two identity keys and compare out of
/// band, after Signal's numeric fingerprint: per key, 5200 iterations of SHA-512 over
/// (hash ‖ key), starting from SHA-512(version ‖ key); the first 30 bytes give six 5-digit groups; the two
/// halves in sorted order, so both sides see the same code.
/// </summary>
public static class SafetyCode
{
    private const int Iterations = 5200;
    private static readonly byte[] VersionBytes = [0, 1];

    public static string Compute(byte[] myIdentityKey, byte[] theirIdentityKey)
    {
        var mine = Half(myIdentityKey);
        var theirs = Half(theirIdentityKey);
        var first = string.CompareOrdinal(mine, theirs) <= 0 ? mine : theirs;
        var second = ReferenceEquals(first, mine) ? theirs : mine;
        return first + second;
    }

    /// <summary>The code as twelve groups of five digits, for reading aloud.</summary>
    public static string Format(string code) =>
        string.Join(' ', Enumerable.Range(0, code.Length / 5).Select(i => code.Substring(i * 5, 5)));

    private static string Half(byte[] key)
    {
        var hash = SHA512.HashData([.. VersionBytes, .. key]);
        for (var i = 0; i < Iterations; i++)
        {
            hash = SHA512.HashData([.. hash, .. key]);
        }

        var digits = new StringBuilder(30);
        for (var chunk = 0; chunk < 6; chunk++)
        {
            var value = (BinaryPrimitives.ReadUInt64BigEndian([0, 0, 0, .. hash.AsSpan(chunk * 5, 5)]) % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
            digits.Append(value);
        }

        return digits.ToString();
    }
}
