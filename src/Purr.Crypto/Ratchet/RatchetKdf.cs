using System.Text;

namespace Purr.Crypto.Ratchet;

/// <summary>
/// The key derivations of the Double Ratchet with header encryption (Signal, "The Double Ratchet
/// Algorithm", sections 5.2 and 4): HKDF-SHA256 for the root chain, HMAC-SHA256 for sending and
/// receiving chains, and HKDF to expand a message key into an XChaCha20-Poly1305 key and nonce.
/// The info strings are part of the protocol (PROTOCOL.md, "End-to-end layer").
/// </summary>
public static class RatchetKdf
{
    public const int KeyBytes = 32;

    /// <summary>What <see cref="MessageCipher(ReadOnlySpan{byte}, Span{byte})"/> writes: an XChaCha20-Poly1305 key and nonce.</summary>
    public const int MessageCipherBytes = Aead.KeyBytes + 24;

    public static readonly byte[] RootInfo = Encoding.ASCII.GetBytes("purr/v1 ratchet root");
    public static readonly byte[] MessageKeyInfo = Encoding.ASCII.GetBytes("purr/v1 message key");

    /// <summary>KDF_RK_HE: (root key, chain key, next header key) from the root key and a DH output.</summary>
    public static (byte[] RootKey, byte[] ChainKey, byte[] NextHeaderKey) Root(ReadOnlySpan<byte> rootKey, ReadOnlySpan<byte> dhOutput)
    {
        var output = Kdf.HkdfSha256(dhOutput, rootKey, RootInfo, 3 * KeyBytes);
        return (output[..KeyBytes], output[KeyBytes..(2 * KeyBytes)], output[(2 * KeyBytes)..]);
    }

    /// <summary>KDF_CK: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02).</summary>
    public static (byte[] ChainKey, byte[] MessageKey) Chain(ReadOnlySpan<byte> chainKey)
    {
        var messageKey = new byte[KeyBytes];
        var next = new byte[KeyBytes];
        Kdf.HmacSha256(chainKey, [0x01], messageKey, [0x02], next);
        return (next, messageKey);
    }

    /// <summary>
    /// A message key becomes an AEAD key (32 bytes) followed by its nonce (24 bytes), into a caller's buffer; each message key
    /// is used exactly once.
    /// </summary>
    public static void MessageCipher(ReadOnlySpan<byte> messageKey, Span<byte> keyThenNonce)
    {
        Span<byte> zeroSalt = stackalloc byte[KeyBytes];
        zeroSalt.Clear();
        Kdf.HkdfSha256(messageKey, zeroSalt, MessageKeyInfo, keyThenNonce[..MessageCipherBytes]);
    }
}
