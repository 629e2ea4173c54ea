namespace Purr.Crypto;

/// <summary>Length checks done in managed code before any native call.</summary>
internal static class Lengths
{
    internal static void Require(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, not {value.Length}", name);
        }
    }

    internal static void AtLeast(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length < length)
        {
            throw new ArgumentException($"{name} must be at least {length} bytes, not {value.Length}", name);
        }
    }
}
