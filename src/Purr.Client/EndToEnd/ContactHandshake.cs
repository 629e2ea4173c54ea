using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// Turns a card into a session. The acceptor runs PQXDH (X3DH on a classic card) against the card's keys
/// and sends a ContactRequest whose only clear fields are a fresh ephemeral key and, to a post-quantum
/// card, the ML-KEM ciphertext; the rest (its identity keys and the first ratchet message) is sealed under
/// DH(ephemeral, prekey) and the KEM secret. The creator's first answer comes from a fresh ratchet key
/// (X3DH section 4.3): the Double Ratchet steps before it sends.
/// </summary>
public static class ContactHandshake
{

    public static InitiatedContact Initiate(Card card, Envelope intro, IRandomSource random) =>
        Initiate(card, intro, random, KeyMaterial.Draw(random, Ed25519.SeedBytes), KeyMaterial.Draw(random, X25519.KeyBytes));

    /// <summary>
    /// The same with given keys: a device starting a session with another device of a contact (PROTOCOL.md 10.10) uses
    /// the per-contact identity the contact already knows and its own X25519 identity key for that contact.
    /// </summary>
    public static InitiatedContact Initiate(Card card, Envelope intro, IRandomSource random, byte[] identitySeed, byte[] identityDhSecret)
    {
        var identity = Ed25519KeyPair.FromSeed(identitySeed);
        var identityDh = X25519KeyPair.FromSecret(identityDhSecret);
        using var ephemeral = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        var responderIdentity = card.Body.IdentityKey.ToByteArray();
        var responderDh = card.Body.IdentityDhKey.ToByteArray();
        var prekey = card.Body.Prekey.ToByteArray();
        var kemPrekey = card.IsPostQuantum ? card.Body.PqPrekey.ToByteArray() : null;
        (byte[] Ciphertext, byte[] SharedSecret)? kem = kemPrekey is null ? null : MlKem768.Encapsulate(kemPrekey, random)
            ?? throw new CardException(CardProblem.Malformed, "the card's post-quantum key is invalid");

        var secrets = X3dh.Initiate(identityDh, ephemeral, responderDh, prekey, kem?.SharedSecret)
            ?? throw new CardException(CardProblem.Malformed, "the card's keys are invalid");
        var state = DoubleRatchet.InitializeInitiator(secrets, prekey, random, kemPrekey);
        var session = new Session(state, Session.BuildAssociatedData(identity.PublicKey, identityDh.PublicKey, responderIdentity, responderDh));
        var body = new ContactRequestBody
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey),
            IdentityDhKey = ByteString.CopyFrom(identityDh.PublicKey),
            IdentitySignature = ByteString.CopyFrom(identity.Sign(EndToEndContexts.With(EndToEndContexts.IdentityDh, identityDh.PublicKey))),
            First = session.Seal(intro, random),
        };
        var sealKey = SealKey(ephemeral.Agree(prekey)!, kem?.SharedSecret);
        var kemCiphertext = kem?.Ciphertext ?? [];
        var request = new ContactRequest
        {
            EphemeralKey = ByteString.CopyFrom(ephemeral.PublicKey),
            Sealed = ByteString.CopyFrom(Aead.XChaCha20Poly1305.Encrypt(
                sealKey.Key, sealKey.Nonce, body.ToByteArray(), [.. ephemeral.PublicKey, .. kemCiphertext])),
            KemCiphertext = ByteString.CopyFrom(kemCiphertext),
        };
        return new InitiatedContact(request, session, identity, identityDh);
    }

    /// <summary>Opens a contact request with the card's secrets; null if it is not a valid request for this card.</summary>
    public static RespondedContact? Respond(ContactRequest request, CardSecrets card, IRandomSource random)
    {
        if (request.EphemeralKey.Length != X25519.KeyBytes)
        {
            return null;
        }

        // A post-quantum card takes only post-quantum requests: one without the KEM ciphertext is a downgrade
        // (or a client too old for the card), and a classic card takes none with one.
        var kemCiphertext = request.KemCiphertext.ToByteArray();
        if (card.KemSeed is null ? kemCiphertext.Length != 0 : kemCiphertext.Length != MlKem768.CiphertextBytes)
        {
            return null;
        }

        var kemSecret = card.KemSeed is null ? null : MlKem768.Decapsulate(card.KemSeed, kemCiphertext);
        var ephemeral = request.EphemeralKey.ToByteArray();
        var shared = card.Prekey.Agree(ephemeral);
        if (shared is null)
        {
            return null;
        }

        var sealKey = SealKey(shared, kemSecret);
        var opened = Aead.XChaCha20Poly1305.Decrypt(sealKey.Key, sealKey.Nonce, request.Sealed.Span, [.. ephemeral, .. kemCiphertext]);
        if (opened is null)
        {
            return null;
        }

        ContactRequestBody body;
        try
        {
            body = ContactRequestBody.Parser.ParseFrom(opened);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        var peerIdentity = body.IdentityKey.ToByteArray();
        var peerDh = body.IdentityDhKey.ToByteArray();
        if (peerDh.Length != X25519.KeyBytes || body.First is null
            || !Ed25519.Verify(peerIdentity, EndToEndContexts.With(EndToEndContexts.IdentityDh, peerDh), body.IdentitySignature.Span))
        {
            return null;
        }

        var secrets = X3dh.Respond(card.IdentityDh, card.Prekey, peerDh, ephemeral, kemSecret);
        if (secrets is null)
        {
            return null;
        }

        var state = DoubleRatchet.InitializeResponder(secrets, card.Prekey, card.KemSeed);
        var session = new Session(state, Session.BuildAssociatedData(peerIdentity, peerDh, card.Identity.PublicKey, card.IdentityDh.PublicKey));
        var (status, intro) = session.Open(body.First, random);
        return status == DecryptStatus.Ok && intro is not null ? new RespondedContact(session, peerIdentity, peerDh, intro) : null;
    }

    /// <summary>Classic: HKDF(DH(EK, SPK), "purr/v1 contact request"); post-quantum: HKDF(DH(EK, SPK) ‖ SS, "purr/v2 contact request").</summary>
    private static (byte[] Key, byte[] Nonce) SealKey(byte[] sharedSecret, byte[]? kemSecret) =>
        SealKeys.Derive(sharedSecret, kemSecret, EndToEndContexts.ContactRequest, EndToEndContexts.PqContactRequest);
}

/// <summary>The acceptor's side: the request to send, the session, and its new per-contact identity.</summary>
public sealed record InitiatedContact(ContactRequest Request, Session Session, Ed25519KeyPair Identity, X25519KeyPair IdentityDh);

/// <summary>The creator's side: the session, the peer's identity keys and its first envelope (the intro).</summary>
public sealed record RespondedContact(Session Session, byte[] PeerIdentity, byte[] PeerIdentityDh, Envelope Intro);
