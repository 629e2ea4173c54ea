using System.Security.Cryptography;
using System.Text;
using Purr.Server.Transport;

namespace Purr.Server.Tests.Transports;

/// <summary>purrd's own SHA-1 (for Sec-WebSocket-Accept only) against FIPS 180's examples and .NET's SHA-1.</summary>
public class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    [InlineData("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")]
    public void Matches_the_published_examples(string text, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Hash(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Gives_rfc_6455s_accept_value()
    {
        // RFC 6455 section 1.3: the key "dGhlIHNhbXBsZSBub25jZQ==" is answered with "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
        var input = Encoding.ASCII.GetBytes("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Convert.ToBase64String(Hash(input)));
    }

    [Fact]
    public void Agrees_with_dotnet_on_every_length_across_the_padding_boundaries()
    {
        var random = new Random(1605);
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
#pragma warning disable CA5350 // the reference the test compares against
            Assert.Equal(SHA1.HashData(data), Hash(data));
#pragma warning restore CA5350
        }
    }

    private static byte[] Hash(byte[] data)
    {
        var hash = new byte[Sha1.HashBytes];
        Sha1.HashData(data, hash);
        return hash;
    }
}
