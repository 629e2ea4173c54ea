using System.Buffers.Binary;
using System.Numerics;

namespace Purr.Server.Transport;

/// <summary>
/// SHA-1 (FIPS 180-4 section 6.1), for the one place RFC 6455 fixes it: the Sec-WebSocket-Accept value of an
/// upgrade answered below HTTP. It proves the server speaks WebSocket and protects nothing, so nothing else may use it.
/// purrd computes it itself rather than through System.Security.Cryptography because that loads OpenSSL's libcrypto
/// into the process on the first upgrade (about 3.4 MiB of resident memory) for 60 bytes of input; a TLS listener
/// loads it anyway. Checked against the RFC's example and System.Security.Cryptography's SHA-1 (Sha1Tests).
/// </summary>
internal static class Sha1
{
    public const int HashBytes = 20;

    public static void HashData(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        Span<uint> state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
        Span<uint> w = stackalloc uint[80];
        var whole = data.Length / 64 * 64;
        for (var offset = 0; offset < whole; offset += 64)
        {
            Compress(state, data.Slice(offset, 64), w);
        }

        // The padding: 0x80, zeros, and the message length in bits, big-endian, ending a block (one or two blocks).
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data[whole..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8), (ulong)data.Length * 8);
        for (var offset = 0; offset < tailLength; offset += 64)
        {
            Compress(state, tail.Slice(offset, 64), w);
        }

        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(hash.Slice(i * 4), state[i]);
        }
    }

    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block, Span<uint> w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4));
        }

        for (var t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (var t = 0; t < 80; t++)
        {
            var (f, k) = t switch
            {
                < 20 => ((b & c) | (~b & d), 0x5A827999u),
                < 40 => (b ^ c ^ d, 0x6ED9EBA1u),
                < 60 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu),
                _ => (b ^ c ^ d, 0xCA62C1D6u),
            };
            var temp = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = temp;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}
