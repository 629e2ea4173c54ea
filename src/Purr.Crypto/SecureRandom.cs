using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>Random bytes from libsodium's CSPRNG.</summary>
public static class SecureRandom
{
    public static void Fill(Span<byte> buffer)
    {
        Sodium.EnsureAvailable();
        if (buffer.IsEmpty)
        {
            return;
        }

        LibSodium.randombytes_buf(ref buffer[0], (nuint)buffer.Length);
    }

    public static byte[] Bytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }
}
