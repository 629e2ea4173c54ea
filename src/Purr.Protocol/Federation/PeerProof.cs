using System.Text;
using Purr.Crypto;

namespace Purr.Protocol.Federation;

/// <summary>
/// Proof of a pre-shared key on a federation link (PROTOCOL.md section 15): BLAKE2b-256 keyed with the 32-byte
/// key over "purr/v1 peer psk" ‖ 0x00 ‖ role ‖ session_nonce ‖ peer_nonce ‖ connecting key ‖ listener key, where role
/// is 0x01 for the connecting server's proof and 0x02 for the listener's. Both nonces make every proof fresh; the two
/// roles keep one side's proof from being sent back as the other's.
/// </summary>
public static class PeerProof
{
    public const int KeyBytes = 32;
    public const byte Connecting = 1;
    public const byte Listening = 2;

    private static readonly byte[] Context = Encoding.ASCII.GetBytes("purr/v1 peer psk");

    public static byte[] Compute(
        ReadOnlySpan<byte> preSharedKey, byte role, ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> peerNonce,
        ReadOnlySpan<byte> connectingKey, ReadOnlySpan<byte> listenerKey)
    {
        var proof = new byte[32];
        Blake2b.Hash([.. Context, 0, role, .. sessionNonce, .. peerNonce, .. connectingKey, .. listenerKey], proof, preSharedKey);
        return proof;
    }
}
