using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Purr.Crypto.Interop;

/// <summary>
/// Clears the upper halves of the vector registers before a call into native code built for SSE (libsodium's HChaCha20 and
/// Poly1305, OpenSSL's SHA-256 block functions, the curve arithmetic). The JIT's own AVX code (zeroing locals, span copies
/// and fills) leaves them dirty and it emits no <c>vzeroupper</c> before calls into native code; each legacy SSE instruction
/// then merges with the dirty halves. Measured on this project's Xeon: OpenSSL's SHA256_Init took 205 ns instead of 15,
/// a one-block SHA-256 360 ns instead of 150. A method that itself uses 256-bit vectors ends with <c>vzeroupper</c> (the
/// JIT's rule for returning to code that may be SSE), so calling one is the fix; it costs a few nanoseconds.
/// </summary>
internal static class VectorState
{
    private static readonly byte[] Scratch = new byte[32];

    /// <summary>Call right before native crypto; nothing in between may run managed vector code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clean()
    {
        if (Avx.IsSupported)
        {
            _ = TouchWideRegisters();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TouchWideRegisters() => Vector256.EqualsAll(Vector256.LoadUnsafe(ref Scratch[0]), Vector256<byte>.Zero);
}
