using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>Comparisons whose running time does not depend on where two secrets differ.</summary>
public static class ConstantTime
{
    /// <summary>True when both spans have the same length and bytes. The length itself is not secret.</summary>
    public static bool Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        if (a.IsEmpty)
        {
            return true;
        }

        Sodium.EnsureAvailable();
        return LibSodium.sodium_memcmp(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b),
            (nuint)a.Length) == 0;
    }

    /// <summary>Overwrites a buffer in a way the compiler cannot optimise away.</summary>
    public static void Zero(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        Sodium.EnsureAvailable();
        LibSodium.sodium_memzero(ref buffer[0], (nuint)buffer.Length);
    }
}
