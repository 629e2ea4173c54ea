using Purr.Crypto;

namespace Purr.Server.Routing;

/// <summary>
/// A throwaway Ed25519 public key: requests naming an unknown mailbox or room are verified against it,
/// so they cost the same signature check and get the same answer as a bad signature.
/// </summary>
internal static class StandInKey
{
    public static readonly byte[] PublicKey = Create();

    private static byte[] Create()
    {
        using var pair = Ed25519KeyPair.Generate();
        return pair.PublicKey;
    }
}
