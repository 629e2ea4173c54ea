using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Purr.Core.Ids;

/// <summary>
/// 128 random bits. ToString never shows the value, so an id that slips into a log line or an
/// exception message reveals nothing; use <see cref="ToBytes"/> where the bytes are really needed.
/// </summary>
public readonly record struct OpaqueId
{
    public const int Length = 16;

    private readonly UInt128 value;

    private OpaqueId(UInt128 value) => this.value = value;

    public static OpaqueId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return FromBytes(bytes);
    }

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out OpaqueId id)
    {
        if (bytes.Length != Length)
        {
            id = default;
            return false;
        }

        id = FromBytes(bytes);
        return true;
    }

    public static OpaqueId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"an id is {Length} bytes", nameof(bytes));
        }

        return new OpaqueId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return bytes;
    }

    public void CopyTo(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, value);

    public override string ToString() => "[id]";
}
