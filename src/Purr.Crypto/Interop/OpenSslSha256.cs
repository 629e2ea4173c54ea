using System.Runtime.InteropServices;

namespace Purr.Crypto.Interop;

/// <summary>
/// OpenSSL's SHA-256 block functions (SHA256_Init, SHA256_Update, SHA256_Final) from the libcrypto the .NET runtime
/// already needs on Linux. They run the CPU's SHA extensions without the per-call context set-up of .NET's one-shot
/// HMAC (about 2 µs there against 0.7 µs here), which the Double Ratchet pays five times per message. Where no libcrypto
/// loads (Windows, macOS), <see cref="IsAvailable"/> is false and callers use .NET's own HMAC and HKDF.
/// </summary>
internal static unsafe class OpenSslSha256
{
    /// <summary>Room for OpenSSL's SHA256_CTX (112 bytes: eight state words, two length words, a 64-byte block, two counters).</summary>
    public const int ContextBytes = 128;

    private static readonly string[] Candidates = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"];

    // The three calls are short and never block: they skip the GC transition.
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, int> InitFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> UpdateFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> FinalFunction;

    static OpenSslSha256()
    {
        if (Environment.GetEnvironmentVariable("PURR_NO_OPENSSL_SHA256") == "1" || !OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var library)
                && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
            {
                InitFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, int>)init;
                UpdateFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
                FinalFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)final;
                IsAvailable = SelfTest();
                return;
            }
        }
    }

    public static bool IsAvailable { get; }

    public static void Init(byte* context)
    {
        VectorState.Clean();
        InitFunction(context);
    }

    public static void Update(byte* context, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        fixed (byte* pointer = data)
        {
            VectorState.Clean();
            UpdateFunction(context, pointer, (nuint)data.Length);
        }
    }

    public static void Final(byte* context, Span<byte> digest)
    {
        fixed (byte* pointer = digest)
        {
            VectorState.Clean();
            FinalFunction(pointer, context);
        }
    }

    /// <summary>SHA-256("abc") (FIPS 180-2, appendix B.1): a library that answers anything else is not used.</summary>
    private static bool SelfTest()
    {
        var context = stackalloc byte[ContextBytes];
        Span<byte> digest = stackalloc byte[32];
        InitFunction(context);
        Update(context, "abc"u8);
        Final(context, digest);
        return Convert.ToHexStringLower(digest) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    }
}
