using System.Runtime.InteropServices;
using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>Argon2id v1.3 password hashing (libsodium crypto_pwhash with ALG_ARGON2ID13).</summary>
public static class Argon2id
{
    public const int SaltBytes = 16;
    public const int MinOutputBytes = 16;
    public const ulong MinOpsLimit = 1;
    public const ulong MaxOpsLimit = uint.MaxValue;
    public const ulong MinMemLimitBytes = 8192;

    /// <summary>libsodium's "moderate" profile: 3 passes over 256 MiB. Used for local profiles.</summary>
    public static readonly Argon2Cost Moderate = new(3, 256UL * 1024 * 1024);

    /// <summary>libsodium's "interactive" profile: 2 passes over 64 MiB. For servers checking many passwords.</summary>
    public static readonly Argon2Cost Interactive = new(2, 64UL * 1024 * 1024);

    private const int AlgArgon2id13 = 2;

    public static void DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Argon2Cost cost, Span<byte> output)
    {
        Lengths.Require(salt, SaltBytes, nameof(salt));
        if (output.Length < MinOutputBytes)
        {
            throw new ArgumentException($"output must be at least {MinOutputBytes} bytes", nameof(output));
        }

        if (cost.OpsLimit < MinOpsLimit || cost.OpsLimit > MaxOpsLimit || cost.MemLimitBytes < MinMemLimitBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), "Argon2id cost is outside libsodium's limits");
        }

        Sodium.EnsureAvailable();
        var result = LibSodium.crypto_pwhash(
            ref MemoryMarshal.GetReference(output), (ulong)output.Length,
            ref MemoryMarshal.GetReference(password), (ulong)password.Length,
            ref MemoryMarshal.GetReference(salt), cost.OpsLimit, (nuint)cost.MemLimitBytes, AlgArgon2id13);
        if (result != 0)
        {
            throw new InsufficientMemoryException("Argon2id could not allocate its memory");
        }
    }
}

/// <summary>Argon2id password hashes in libsodium's string form ($argon2id$v=19$m=...), for servers that check passwords.</summary>
public static class Argon2idPasswordHash
{
    private const int StringBytes = 128;

    public static string Hash(string password, Argon2Cost cost)
    {
        var output = new byte[StringBytes];
        var bytes = System.Text.Encoding.UTF8.GetBytes(password);
        Sodium.EnsureAvailable();
        if (LibSodium.crypto_pwhash_str(ref output[0], ref MemoryMarshal.GetReference(bytes.AsSpan()), (ulong)bytes.Length, cost.OpsLimit, (nuint)cost.MemLimitBytes) != 0)
        {
            throw new InsufficientMemoryException("Argon2id could not allocate its memory");
        }

        return System.Text.Encoding.ASCII.GetString(output, 0, Array.IndexOf(output, (byte)0));
    }

    public static bool Verify(string hash, string password)
    {
        var stored = System.Text.Encoding.ASCII.GetBytes(hash + "\0");
        if (stored.Length > StringBytes)
        {
            return false;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(password);
        Sodium.EnsureAvailable();
        return LibSodium.crypto_pwhash_str_verify(ref stored[0], ref MemoryMarshal.GetReference(bytes.AsSpan()), (ulong)bytes.Length) == 0;
    }
}

/// <summary>Argon2id cost: passes over memory, and memory in bytes.</summary>
public readonly record struct Argon2Cost(ulong OpsLimit, ulong MemLimitBytes);
