using Purr.Crypto;

namespace Purr.Client.EndToEnd;

/// <summary>
/// The key and nonce a one-shot seal (a contact request to a card, a request to an address) is encrypted under:
/// HKDF-SHA256(ikm = DH, salt 0×32, the classic info, 56 bytes), or with a KEM secret HKDF-SHA256(ikm = DH ‖ SS, salt 0×32,
/// the post-quantum info, 56 bytes) — PROTOCOL.md 10.2 and 10.8.
/// </summary>
internal static class SealKeys
{
    private const int NonceBytes = 24;

    public static (byte[] Key, byte[] Nonce) Derive(byte[] sharedSecret, byte[]? kemSecret, byte[] classicInfo, byte[] postQuantumInfo)
    {
        var output = kemSecret is null
            ? Kdf.HkdfSha256(sharedSecret, new byte[32], classicInfo, Aead.KeyBytes + NonceBytes)
            : Kdf.HkdfSha256([.. sharedSecret, .. kemSecret], new byte[32], postQuantumInfo, Aead.KeyBytes + NonceBytes);
        return (output[..Aead.KeyBytes], output[Aead.KeyBytes..]);
    }
}
