using Purr.Crypto.Ratchet;

namespace Purr.Crypto.Tests;

/// <summary>The message padding (ISO/IEC 7816-4 to a size bucket): the buckets, both ways of padding alike, and what unpadding refuses.</summary>
public sealed class PaddingTests
{
    [Theory]
    [InlineData(0, 256)]
    [InlineData(255, 256)]
    [InlineData(256, 1024)]
    [InlineData(1023, 1024)]
    [InlineData(1024, 2048)]
    [InlineData(2047, 2048)]
    [InlineData(2048, 4096)]
    [InlineData(4095, 4096)]
    [InlineData(4096, 8192)]
    [InlineData(8191, 8192)]
    [InlineData(8192, 16384)]
    [InlineData(16383, 16384)]
    [InlineData(16384, 32768)]
    [InlineData(40000, 49152)]
    public void Lengths_pad_to_their_bucket_with_room_for_the_marker(int length, int padded) =>
        Assert.Equal(padded, Padding.PaddedLength(length));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(1023)]
    [InlineData(5000)]
    public void Padding_in_place_over_a_dirty_buffer_equals_Pad_and_unpads_back(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        var buffer = new byte[Padding.PaddedLength(length)];
        Array.Fill(buffer, (byte)0xA5);
        data.CopyTo(buffer, 0);

        Padding.PadInPlace(buffer, length);

        Assert.Equal(Padding.Pad(data), buffer);
        Assert.Equal(length, Padding.UnpaddedLength(buffer));
        Assert.Equal(data, Padding.Unpad(buffer));
    }

    [Fact]
    public void Padding_in_place_refuses_a_buffer_of_the_wrong_size() =>
        Assert.Throws<ArgumentException>(() => Padding.PadInPlace(new byte[1024], 10));

    [Fact]
    public void Unpadding_refuses_a_missing_marker_or_all_zeros()
    {
        Assert.Equal(-1, Padding.UnpaddedLength(new byte[256]));
        var noMarker = new byte[256];
        noMarker[10] = 0x7F;
        Assert.Equal(-1, Padding.UnpaddedLength(noMarker));
        Assert.Null(Padding.Unpad(noMarker));
    }
}
