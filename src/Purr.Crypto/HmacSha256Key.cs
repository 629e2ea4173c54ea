using System.Security.Cryptography;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// HMAC-SHA256 (RFC 2104) on OpenSSL's SHA-256 block functions: the key's inner and outer blocks are hashed once,
/// so the MACs under one key (HKDF's expansion blocks) pay for them once. Only where
/// <see cref="OpenSslSha256.IsAvailable"/>; <see cref="Kdf"/> falls back to .NET's HMAC elsewhere.
/// </summary>
internal unsafe struct HmacSha256Key
{
    private const int BlockBytes = 64;

    private fixed byte inner[OpenSslSha256.ContextBytes];
    private fixed byte outer[OpenSslSha256.ContextBytes];

    public HmacSha256Key(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[BlockBytes];
        block.Clear();
        if (key.Length > BlockBytes)
        {
            HashInto(key, block[..Kdf.HashBytes]);
        }
        else
        {
            key.CopyTo(block);
        }

        Pad(block, 0x36);
        fixed (byte* context = inner)
        {
            OpenSslSha256.Init(context);
            OpenSslSha256.Update(context, block);
        }

        Pad(block, 0x36 ^ 0x5c);
        fixed (byte* context = outer)
        {
            OpenSslSha256.Init(context);
            OpenSslSha256.Update(context, block);
        }

        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>HMAC(key, first ‖ second ‖ third) into a 32-byte output (which may overlap the inputs).</summary>
    public readonly void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third, Span<byte> output)
    {
        var context = stackalloc byte[OpenSslSha256.ContextBytes];
        Span<byte> innerDigest = stackalloc byte[Kdf.HashBytes];
        fixed (byte* keyed = inner)
        {
            new ReadOnlySpan<byte>(keyed, OpenSslSha256.ContextBytes).CopyTo(new Span<byte>(context, OpenSslSha256.ContextBytes));
        }

        OpenSslSha256.Update(context, first);
        OpenSslSha256.Update(context, second);
        OpenSslSha256.Update(context, third);
        OpenSslSha256.Final(context, innerDigest);
        fixed (byte* keyed = outer)
        {
            new ReadOnlySpan<byte>(keyed, OpenSslSha256.ContextBytes).CopyTo(new Span<byte>(context, OpenSslSha256.ContextBytes));
        }

        OpenSslSha256.Update(context, innerDigest);
        OpenSslSha256.Final(context, output);
        new Span<byte>(context, OpenSslSha256.ContextBytes).Clear();
        CryptographicOperations.ZeroMemory(innerDigest);
    }

    /// <summary>Forgets the keyed states.</summary>
    public void Clear()
    {
        fixed (byte* keyed = inner)
        {
            new Span<byte>(keyed, OpenSslSha256.ContextBytes).Clear();
        }

        fixed (byte* keyed = outer)
        {
            new Span<byte>(keyed, OpenSslSha256.ContextBytes).Clear();
        }
    }

    private static void Pad(Span<byte> block, byte value)
    {
        for (var i = 0; i < block.Length; i++)
        {
            block[i] ^= value;
        }
    }

    private static void HashInto(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var context = stackalloc byte[OpenSslSha256.ContextBytes];
        OpenSslSha256.Init(context);
        OpenSslSha256.Update(context, data);
        OpenSslSha256.Final(context, digest);
    }
}
