using System.Security.Cryptography;
using Purr.Crypto.Interop;

namespace Purr.Crypto.Tests;

/// <summary>
/// HMAC-SHA256 and HKDF-SHA256 on OpenSSL's block functions (the fast path) must equal .NET's own for every key,
/// message and output length, and reproduce RFC 4231's vectors; Wycheproof's HKDF vectors run in WycheproofTests.
/// </summary>
public sealed class KdfTests
{
    /// <summary>RFC 4231's 131 bytes of 0xaa.</summary>
    private const string LongKey = "aa × 131";

    [Fact]
    public void The_fast_path_is_used_on_linux() => Assert.Equal(OperatingSystem.IsLinux(), OpenSslSha256.IsAvailable);

    [Theory]
    // RFC 4231 test cases 1, 2, 6 (a 131-byte key, hashed first) and 7.
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData(LongKey, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
    [InlineData(LongKey, "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e", "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")]
    public void Hmac_reproduces_RFC_4231(string key, string message, string expected)
    {
        var output = new byte[32];
        var keyBytes = key == LongKey ? Enumerable.Repeat((byte)0xaa, 131).ToArray() : Convert.FromHexString(key);
        Kdf.HmacSha256(keyBytes, Convert.FromHexString(message), output);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Hmac_equals_dotnets_for_every_key_and_message_length()
    {
        var random = new Random(7);
        foreach (var keyLength in new[] { 0, 1, 31, 32, 33, 63, 64, 65, 128, 200 })
        {
            for (var messageLength = 0; messageLength <= 200; messageLength += 7)
            {
                var key = new byte[keyLength];
                var message = new byte[messageLength];
                random.NextBytes(key);
                random.NextBytes(message);
                var output = new byte[32];
                Kdf.HmacSha256(key, message, output);
                Assert.Equal(HMACSHA256.HashData(key, message), output);
            }
        }
    }

    [Fact]
    public void Hkdf_equals_dotnets_for_every_salt_info_and_output_length()
    {
        var random = new Random(11);
        foreach (var saltLength in new[] { 0, 16, 32, 64, 100 })
        {
            foreach (var outputLength in new[] { 1, 31, 32, 33, 56, 64, 96, 97, 1000, Kdf.MaxOutputBytes })
            {
                var inputKey = new byte[random.Next(0, 80)];
                var salt = new byte[saltLength];
                var info = new byte[random.Next(0, 40)];
                random.NextBytes(inputKey);
                random.NextBytes(info);
                // Zero salts (every message key's expansion uses 32 zero bytes) take the key prepared once; 100 zero bytes
                // are longer than a block and hashed first, so they may not.
                if (outputLength != 56)
                {
                    random.NextBytes(salt);
                }

                Assert.Equal(
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, outputLength, salt, info),
                    Kdf.HkdfSha256(inputKey, salt, info, outputLength));
            }
        }
    }
}
