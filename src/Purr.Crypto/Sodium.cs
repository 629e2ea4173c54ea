using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>Loads and initialises libsodium once, and refuses a missing or too old library.</summary>
public static class Sodium
{
    /// <summary>The oldest libsodium release Purr accepts (Debian 12's libsodium23; the NuGet package brings 1.0.22).</summary>
    public static readonly Version MinimumVersion = new(1, 0, 18);

    private static readonly Lazy<Version> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The loaded library's version; throws <see cref="SodiumUnavailableException"/> if unusable.</summary>
    public static Version Version => Loaded.Value;

    /// <summary>Call once at start-up so a missing library stops the program with one clear line.</summary>
    public static void EnsureAvailable() => _ = Loaded.Value;

    private static Version Load()
    {
        string text;
        try
        {
            if (LibSodium.sodium_init() < 0)
            {
                throw new SodiumUnavailableException("libsodium failed to initialise");
            }

            text = Marshal.PtrToStringAnsi(LibSodium.sodium_version_string()) ?? "";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            throw new SodiumUnavailableException(
                "libsodium was not found: the build ships it for linux, macOS and Windows (x64, arm64); on another platform install it (Debian: apt-get install libsodium23)");
        }

        if (!Version.TryParse(text, out var version) || version < MinimumVersion)
        {
            throw new SodiumUnavailableException(
                $"libsodium {text} is older than {MinimumVersion}: install the Debian package libsodium23 or newer");
        }

        return version;
    }
}

/// <summary>libsodium is missing or too old; the message names the package to install.</summary>
public sealed class SodiumUnavailableException(string message) : Exception(message);
