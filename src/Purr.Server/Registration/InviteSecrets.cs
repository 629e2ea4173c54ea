using Purr.Crypto;

namespace Purr.Server.Registration;

/// <summary>An invite's secret is 16 random bytes; the store keeps only its BLAKE2b-256 hash.</summary>
internal static class InviteSecrets
{
    public static byte[] Hash(ReadOnlySpan<byte> secret) => Blake2b.Hash(secret, 32);
}
