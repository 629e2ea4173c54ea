using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>BLAKE2b (libsodium crypto_generichash), optionally keyed.</summary>
public static class Blake2b
{
    public const int MinOutputBytes = 16;
    public const int MaxOutputBytes = 64;
    public const int MaxKeyBytes = 64;

    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> key = default)
    {
        if (output.Length is < MinOutputBytes or > MaxOutputBytes)
        {
            throw new ArgumentException($"output must be {MinOutputBytes}..{MaxOutputBytes} bytes", nameof(output));
        }

        if (key.Length > MaxKeyBytes || (!key.IsEmpty && key.Length < MinOutputBytes))
        {
            throw new ArgumentException($"key must be empty or {MinOutputBytes}..{MaxKeyBytes} bytes", nameof(key));
        }

        Sodium.EnsureAvailable();
        _ = LibSodium.crypto_generichash(
            ref MemoryMarshal.GetReference(output), (nuint)output.Length,
            ref MemoryMarshal.GetReference(input), (ulong)input.Length,
            ref MemoryMarshal.GetReference(key), (nuint)key.Length);
    }

    public static byte[] Hash(ReadOnlySpan<byte> input, int outputBytes = 32)
    {
        var output = new byte[outputBytes];
        Hash(input, output);
        return output;
    }
}
