using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// Turns a card into a session. The acceptor runs X3DH against the card's keys and sends a
/// ContactRequest whose only clear field is a fresh ephemeral key; the rest (its identity keys and the
/// first ratchet message) is sealed under DH(ephemeral, prekey). The creator's first answer comes from
/// a fresh ratchet key (X3DH section 4.3): the Double Ratchet steps before it sends.
/// </summary>
public static class ContactHandshake
{
    private const int NonceBytes = 24;

    public static InitiatedContact Initiate(Card card, Envelope intro, IRandomSource random)
    {
        var identity = Ed25519KeyPair.FromSeed(KeyMaterial.Draw(random, Ed25519.SeedBytes));
        var identityDh = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        using var ephemeral = X25519KeyPair.FromSecret(KeyMaterial.Draw(random, X25519.KeyBytes));
        var responderIdentity = card.Body.IdentityKey.ToByteArray();
        var responderDh = card.Body.IdentityDhKey.ToByteArray();
        var prekey = card.Body.Prekey.ToByteArray();

        var secrets = X3dh.Initiate(identityDh, ephemeral, responderDh, prekey)
            ?? throw new CardException(CardProblem.Malformed, "the card's keys are invalid");
        var state = DoubleRatchet.InitializeInitiator(secrets, prekey, random);
        var session = new Session(state, Session.BuildAssociatedData(identity.PublicKey, identityDh.PublicKey, responderIdentity, responderDh));
        var body = new ContactRequestBody
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey),
            IdentityDhKey = ByteString.CopyFrom(identityDh.PublicKey),
            IdentitySignature = ByteString.CopyFrom(identity.Sign(EndToEndContexts.With(EndToEndContexts.IdentityDh, identityDh.PublicKey))),
            First = session.Seal(intro, random),
        };
        var sealKey = SealKey(ephemeral.Agree(prekey)!);
        var request = new ContactRequest
        {
            EphemeralKey = ByteString.CopyFrom(ephemeral.PublicKey),
            Sealed = ByteString.CopyFrom(Aead.XChaCha20Poly1305.Encrypt(sealKey.Key, sealKey.Nonce, body.ToByteArray(), ephemeral.PublicKey)),
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

        var ephemeral = request.EphemeralKey.ToByteArray();
        var shared = card.Prekey.Agree(ephemeral);
        if (shared is null)
        {
            return null;
        }

        var sealKey = SealKey(shared);
        var opened = Aead.XChaCha20Poly1305.Decrypt(sealKey.Key, sealKey.Nonce, request.Sealed.Span, ephemeral);
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

        var secrets = X3dh.Respond(card.IdentityDh, card.Prekey, peerDh, ephemeral);
        if (secrets is null)
        {
            return null;
        }

        var state = DoubleRatchet.InitializeResponder(secrets, card.Prekey);
        var session = new Session(state, Session.BuildAssociatedData(peerIdentity, peerDh, card.Identity.PublicKey, card.IdentityDh.PublicKey));
        var (status, intro) = session.Open(body.First, random);
        return status == DecryptStatus.Ok && intro is not null ? new RespondedContact(session, peerIdentity, peerDh, intro) : null;
    }

    private static (byte[] Key, byte[] Nonce) SealKey(byte[] sharedSecret)
    {
        var output = Kdf.HkdfSha256(sharedSecret, new byte[32], EndToEndContexts.ContactRequest, Aead.KeyBytes + NonceBytes);
        return (output[..Aead.KeyBytes], output[Aead.KeyBytes..]);
    }
}

/// <summary>The acceptor's side: the request to send, the session, and its new per-contact identity.</summary>
public sealed record InitiatedContact(ContactRequest Request, Session Session, Ed25519KeyPair Identity, X25519KeyPair IdentityDh);

/// <summary>The creator's side: the session, the peer's identity keys and its first envelope (the intro).</summary>
public sealed record RespondedContact(Session Session, byte[] PeerIdentity, byte[] PeerIdentityDh, Envelope Intro);
