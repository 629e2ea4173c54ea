using System.Reflection;
using System.Runtime.InteropServices;

namespace Purr.Crypto.Interop;

/// <summary>
/// Resolves the name the imports use: first the libsodium that the `libsodium` NuGet package puts beside the
/// program (runtimes/RID/native, found through the app's deps.json), then a system copy. Debian ships only the
/// versioned name (libsodium.so.23) unless libsodium-dev is installed, so versioned names are tried too.
/// </summary>
internal static class LibSodiumResolver
{
    private static readonly string[] Candidates =
    [
        "libsodium", "libsodium.so.26", "libsodium.so.23", "libsodium.so", "libsodium.dylib", "sodium",
    ];

    private static int registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(LibSodiumResolver).Assembly, Resolve);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibSodium.Name)
        {
            return 0;
        }

        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }
}
