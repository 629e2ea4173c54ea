using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// A request through a contact address, sealed to its request key as contact requests are sealed to a card's prekey
/// (PROTOCOL.md 10.8): ephemeral X25519, key ‖ nonce = HKDF-SHA256(DH, salt 0×32, "purr/v1 address request", 56),
/// XChaCha20-Poly1305 over the padded AddressRequestBody with ad = ephemeral key ‖ address key. To a version 2 address
/// also an ML-KEM-768 encapsulation: HKDF-SHA256(DH ‖ SS, "purr/v2 address request"), ad = … ‖ KEM ciphertext.
/// </summary>
public static class AddressRequests
{
    /// <summary>Longest note a request may carry, in characters; a longer one is refused when sending and cut when shown.</summary>
    public const int MaxMessageLength = 280;

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
        (byte[] Ciphertext, byte[] SharedSecret)? kem = address.IsPostQuantum
            ? MlKem768.Encapsulate(address.Body.RequestKemKey.Span, random) ?? throw new CardException(CardProblem.Malformed, "the address's post-quantum key is invalid")
            : null;
        var kemCiphertext = kem?.Ciphertext ?? [];
        var (key, nonce) = SealKey(shared, kem?.SharedSecret);
        var sealedBody = Aead.XChaCha20Poly1305.Encrypt(
            key, nonce, Padding.Pad(body.ToByteArray()), [.. ephemeral.PublicKey, .. address.Body.AddressKey.Span, .. kemCiphertext]);
        return new AddressRequest
        {
            EphemeralKey = ByteString.CopyFrom(ephemeral.PublicKey),
            Sealed = ByteString.CopyFrom(sealedBody),
            KemCiphertext = ByteString.CopyFrom(kemCiphertext),
        };
    }

    /// <summary>
    /// The request's body, or null when it was not sealed to this address or was altered. A post-quantum address
    /// (<paramref name="requestKemSeed"/> given) takes only requests with a KEM ciphertext, a classic one only without.
    /// </summary>
    public static AddressRequestBody? Open(AddressRequest request, X25519KeyPair requestKey, ReadOnlySpan<byte> addressKey, byte[]? requestKemSeed = null)
    {
        var kemCiphertext = request.KemCiphertext.ToByteArray();
        if (requestKemSeed is null ? kemCiphertext.Length != 0 : kemCiphertext.Length != MlKem768.CiphertextBytes)
        {
            return null;
        }

        if (request.EphemeralKey.Length != X25519.KeyBytes || requestKey.Agree(request.EphemeralKey.Span) is not { } shared)
        {
            return null;
        }

        var (key, nonce) = SealKey(shared, requestKemSeed is null ? null : MlKem768.Decapsulate(requestKemSeed, kemCiphertext));
        var padded = Aead.XChaCha20Poly1305.Decrypt(key, nonce, request.Sealed.Span, [.. request.EphemeralKey.Span, .. addressKey, .. kemCiphertext]);
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

    private static (byte[] Key, byte[] Nonce) SealKey(byte[] shared, byte[]? kemSecret) =>
        SealKeys.Derive(shared, kemSecret, EndToEndContexts.AddressRequest, EndToEndContexts.PqAddressRequest);
}
