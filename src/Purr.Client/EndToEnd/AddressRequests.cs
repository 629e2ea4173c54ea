using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// A request through a contact address, sealed to its request key as contact requests are sealed to a card's prekey
/// (PROTOCOL.md 10.8): ephemeral X25519, key ‖ nonce = HKDF-SHA256(DH, salt 0×32, "purr/v1 address request", 56),
/// XChaCha20-Poly1305 over the padded AddressRequestBody with ad = ephemeral key ‖ address key.
/// </summary>
public static class AddressRequests
{
    /// <summary>Longest note a request may carry, in characters; a longer one is refused when sending and cut when shown.</summary>
    public const int MaxMessageLength = 280;

    private const int NonceBytes = 24;
    private static readonly byte[] TagContext = System.Text.Encoding.ASCII.GetBytes("purr/v1 address tag");

    /// <summary>
    /// The requester's block tag for one address: BLAKE2b-256(key = the profile's tag secret, "purr/v1 address tag" ‖ 0x00 ‖
    /// address key). The same for every request of one profile to one address (so a block holds), unrelated across addresses.
    /// </summary>
    public static byte[] BlockTag(ReadOnlySpan<byte> tagSecret, ReadOnlySpan<byte> addressKey)
    {
        var tag = new byte[32];
        Blake2b.Hash([.. TagContext, 0, .. addressKey], tag, tagSecret);
        return tag;
    }

    public static AddressRequest Seal(ContactAddress address, AddressRequestBody body, IRandomSource random)
    {
        using var ephemeral = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        var shared = ephemeral.Agree(address.Body.RequestKey.Span) ?? throw new CardException(CardProblem.Malformed, "the address's key is invalid");
        var (key, nonce) = SealKey(shared);
        var sealedBody = Aead.XChaCha20Poly1305.Encrypt(key, nonce, Padding.Pad(body.ToByteArray()), [.. ephemeral.PublicKey, .. address.Body.AddressKey.Span]);
        return new AddressRequest { EphemeralKey = ByteString.CopyFrom(ephemeral.PublicKey), Sealed = ByteString.CopyFrom(sealedBody) };
    }

    /// <summary>The request's body, or null when it was not sealed to this address or was altered.</summary>
    public static AddressRequestBody? Open(AddressRequest request, X25519KeyPair requestKey, ReadOnlySpan<byte> addressKey)
    {
        if (request.EphemeralKey.Length != X25519.KeyBytes || requestKey.Agree(request.EphemeralKey.Span) is not { } shared)
        {
            return null;
        }

        var (key, nonce) = SealKey(shared);
        var padded = Aead.XChaCha20Poly1305.Decrypt(key, nonce, request.Sealed.Span, [.. request.EphemeralKey.Span, .. addressKey]);
        if (padded is null || Padding.Unpad(padded) is not { } plain)
        {
            return null;
        }

        try
        {
            return AddressRequestBody.Parser.ParseFrom(plain);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static (byte[] Key, byte[] Nonce) SealKey(byte[] shared)
    {
        var output = Kdf.HkdfSha256(shared, new byte[32], EndToEndContexts.AddressRequest, Aead.KeyBytes + NonceBytes);
        return (output[..Aead.KeyBytes], output[Aead.KeyBytes..]);
    }
}
