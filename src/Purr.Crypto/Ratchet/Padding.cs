namespace Purr.Crypto.Ratchet;

/// <summary>
/// ISO/IEC 7816-4 padding (0x80, then zeros) up to a size bucket, so ciphertext lengths reveal only
/// the bucket: 256, 1 KiB, 4 KiB, 16 KiB, then whole multiples of 16 KiB.
/// </summary>
public static class Padding
{
    private static readonly int[] Buckets = [256, 1024, 4096, 16384];
    private const int LargeStep = 16384;

    public static int PaddedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var needed = length + 1;
        foreach (var bucket in Buckets)
        {
            if (needed <= bucket)
            {
                return bucket;
            }
        }

        return (needed + LargeStep - 1) / LargeStep * LargeStep;
    }

    public static byte[] Pad(ReadOnlySpan<byte> data)
    {
        var padded = new byte[PaddedLength(data.Length)];
        data.CopyTo(padded);
        padded[data.Length] = 0x80;
        return padded;
    }

    /// <summary>The data before the padding, or null if the padding is malformed.</summary>
    public static byte[]? Unpad(ReadOnlySpan<byte> padded)
    {
        var length = UnpaddedLength(padded);
        return length < 0 ? null : padded[..length].ToArray();
    }

    /// <summary>The length of the data before the padding, or -1 if the padding is malformed.</summary>
    public static int UnpaddedLength(ReadOnlySpan<byte> padded)
    {
        var end = padded.LastIndexOfAnyExcept((byte)0);
        return end < 0 || padded[end] != 0x80 ? -1 : end;
    }
}
