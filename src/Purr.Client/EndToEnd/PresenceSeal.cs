using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// Presence on the wire (PROTOCOL.md 10.9): nonce (24) ‖ XChaCha20-Poly1305(channel key, padded PresencePlaintext,
/// ad = "purr/v1 presence"). The channel key travels inside the ratchet; presence itself never touches the ratchet, so a
/// dropped update (the mailbox is live-only) costs no skipped message key.
/// </summary>
public static class PresenceSeal
{
    public const int MaxTextLength = 80;
    private const int NonceBytes = 24;
    private static readonly byte[] Context = System.Text.Encoding.ASCII.GetBytes("purr/v1 presence");

    public static PresenceSealed Seal(byte[] key, PresencePlaintext plaintext, IRandomSource random)
    {
        var nonce = KeyMaterial.Draw(random, NonceBytes);
        var sealedBytes = Aead.XChaCha20Poly1305.Encrypt(key, nonce, Padding.Pad(plaintext.ToByteArray()), Context);
        return new PresenceSealed { Sealed = ByteString.CopyFrom([.. nonce, .. sealedBytes]) };
    }

    public static PresencePlaintext? Open(byte[] key, PresenceSealed sealedPresence)
    {
        var bytes = sealedPresence.Sealed.Span;
        if (key.Length != Aead.KeyBytes || bytes.Length < NonceBytes + Aead.TagBytes)
        {
            return null;
        }

        var padded = Aead.XChaCha20Poly1305.Decrypt(key, bytes[..NonceBytes], bytes[NonceBytes..], Context);
        if (padded is null || Padding.Unpad(padded) is not { } plain)
        {
            return null;
        }

        try
        {
            return PresencePlaintext.Parser.ParseFrom(plain);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
