namespace Purr.Crypto.Ratchet;

/// <summary>
/// ISO/IEC 7816-4 padding (0x80, then zeros) up to a size bucket, so ciphertext lengths reveal only
/// the bucket: 256 B, then the powers of two from 1 KiB to 16 KiB, then whole multiples of 16 KiB. Above 1 KiB a
/// message costs at most twice its length (a 1,000-character text 2 KiB, not 4 KiB as with buckets of 1, 4 and 16 KiB
/// until 2026-12: stored, sent and encrypted, that was half of a message's encryption time).
/// </summary>
public static class Padding
{
    private static readonly int[] Buckets = [256, 1024, 2048, 4096, 8192, 16384];
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
        PadInPlace(padded, data.Length);
        return padded;
    }

    /// <summary>
    /// Pads in place: <paramref name="padded"/> is <see cref="PaddedLength"/>(<paramref name="length"/>) bytes whose first
    /// <paramref name="length"/> are the data; the marker and zeros fill the rest (for callers that write the data
    /// straight into the buffer they encrypt).
    /// </summary>
    public static void PadInPlace(Span<byte> padded, int length)
    {
        if (padded.Length != PaddedLength(length))
        {
            throw new ArgumentException($"{length} bytes pad to {PaddedLength(length)}, not {padded.Length}", nameof(padded));
        }

        padded[length] = 0x80;
        padded[(length + 1)..].Clear();
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
