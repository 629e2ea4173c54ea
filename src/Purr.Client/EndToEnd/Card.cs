using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// A rendezvous card: a per-contact identity, the keys for PQXDH (X3DH on a classic card) and a mailbox to
/// answer to, signed by that identity. Travels out of band as a purr:card/ link, a QR code of the link, or a file.
/// </summary>
public sealed class Card
{
    /// <summary>A post-quantum card: it carries an ML-KEM-768 prekey, and requests to it must use it.</summary>
    public const uint Version = 2;

    /// <summary>A card from a client before the post-quantum handshake: still accepted (the session upgrades later).</summary>
    public const uint ClassicVersion = 1;
    public const string LinkPrefix = "purr:card/";

    private Card(CardBody body, byte[] signedBytes)
    {
        Body = body;
        SignedBytes = signedBytes;
    }

    public CardBody Body { get; }

    /// <summary>The serialized SignedCard: what the link encodes.</summary>
    public byte[] SignedBytes { get; }

    /// <summary>16 bytes that name this card, so an acceptor can refuse a second use.</summary>
    public byte[] Id => Blake2b.Hash(SignedBytes, 16);

    public string Link => LinkPrefix + Base64Url.Encode(SignedBytes);

    // A link cut short in copying is by far the commonest damage: say so rather than blame the signature.
    private const string Incomplete = "the card link is incomplete or damaged (was it cut off when copied?); copy the whole link again";

    /// <summary>How a device link (a card one device makes for another of the same person) is written.</summary>
    public const string DeviceLinkPrefix = "purr:link/";

    public string DeviceLink => DeviceLinkPrefix + Base64Url.Encode(SignedBytes);

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(Body.ExpiresAt);

    /// <summary>Whether a session from this card starts post-quantum (PQXDH).</summary>
    public bool IsPostQuantum => Body.Version == Version;

    public static Card Create(CardSecrets secrets, MailboxAddress mailbox, string displayName, DateTimeOffset expiresAt)
    {
        var body = new CardBody
        {
            Version = secrets.KemSeed is null ? ClassicVersion : Version,
            IdentityKey = ByteString.CopyFrom(secrets.Identity.PublicKey),
            IdentityDhKey = ByteString.CopyFrom(secrets.IdentityDh.PublicKey),
            Prekey = ByteString.CopyFrom(secrets.Prekey.PublicKey),
            Mailbox = mailbox,
            DisplayName = displayName,
            ExpiresAt = expiresAt.ToUnixTimeSeconds(),
        };
        if (secrets.KemSeed is not null)
        {
            body.PqPrekey = ByteString.CopyFrom(MlKem768.PublicKeyFromSeed(secrets.KemSeed));
        }

        var bodyBytes = body.ToByteArray();
        var signature = secrets.Identity.Sign(EndToEndContexts.With(EndToEndContexts.Card, bodyBytes));
        var signed = new SignedCard { Body = ByteString.CopyFrom(bodyBytes), Signature = ByteString.CopyFrom(signature) };
        return new Card(body, signed.ToByteArray());
    }

    /// <summary>Reads a link (or a file's text), checks the signature, the version and the expiry.</summary>
    public static Card Parse(string text, DateTimeOffset now)
    {
        text = text.Trim();
        if (!text.StartsWith(LinkPrefix, StringComparison.Ordinal))
        {
            throw new CardException(CardProblem.Malformed, text.StartsWith("purr:room/", StringComparison.Ordinal)
                ? "this is a room link, not a card: join it with 'purr room join' (or Join room in the browser)"
                : text.StartsWith(ContactAddress.LinkPrefix, StringComparison.Ordinal)
                    ? "this is a contact address, not a card: ask for contact with 'purr connect' (or Add contact in the browser)"
                    : "this is not a Purr card link (it should start with purr:card/)");
        }

        if (!Base64Url.TryDecode(text[LinkPrefix.Length..], out var bytes))
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        return FromSignedBytes(bytes, now);
    }

    /// <summary>
    /// A device link (PROTOCOL.md 10.10): a card under its own prefix, so it is never taken for a contact's card
    /// (nor a contact's card for a link).
    /// </summary>
    public static Card ParseDeviceLink(string text, DateTimeOffset now)
    {
        text = text.Trim();
        if (!text.StartsWith(DeviceLinkPrefix, StringComparison.Ordinal))
        {
            throw new CardException(CardProblem.Malformed, text.StartsWith(LinkPrefix, StringComparison.Ordinal)
                ? "this is a contact's card, not a device link: accept it with 'purr accept'"
                : "this is not a Purr device link (it should start with purr:link/)");
        }

        if (!Base64Url.TryDecode(text[DeviceLinkPrefix.Length..], out var bytes))
        {
            throw new CardException(CardProblem.Malformed, "the device link is incomplete or damaged (was it cut off when copied?); copy the whole link again");
        }

        return FromSignedBytes(bytes, now);
    }

    /// <summary>A SignedCard's bytes, checked as <see cref="Parse"/> checks a link's (signature, keys, version, expiry).</summary>
    public static Card FromSignedBytes(byte[] bytes, DateTimeOffset now)
    {
        SignedCard signed;
        CardBody body;
        try
        {
            signed = SignedCard.Parser.ParseFrom(bytes);
            body = CardBody.Parser.ParseFrom(signed.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        if (signed.Signature.Length != Ed25519.SignatureBytes)
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        if (body.IdentityKey.Length != Ed25519.PublicKeyBytes || body.IdentityDhKey.Length != X25519.KeyBytes
            || body.Prekey.Length != X25519.KeyBytes || body.Mailbox is null || body.Mailbox.SendId.Length != 16
            || !PurrAddress.TryParse(body.Mailbox.Server, out _, out _))
        {
            throw new CardException(CardProblem.Malformed, "the card is damaged (a key or its mailbox is missing)");
        }

        if (!Ed25519.Verify(body.IdentityKey.Span, EndToEndContexts.With(EndToEndContexts.Card, signed.Body.ToByteArray()), signed.Signature.Span))
        {
            throw new CardException(CardProblem.Tampered, "the card's signature does not match: a character of it was changed (mistyped or damaged in copying) or someone altered it; copy the whole link again");
        }

        if (body.Version is not (Version or ClassicVersion))
        {
            throw new CardException(CardProblem.UnsupportedVersion, $"the card has version {body.Version}; this client reads versions {ClassicVersion} and {Version}");
        }

        // The KEM prekey is under the signature, so it cannot be stripped or swapped; a version 2 card without a
        // valid one (or a version 1 card with one) was made wrongly.
        if (body.Version == Version ? !MlKem768.IsValidEncapsulationKey(body.PqPrekey.Span) : !body.PqPrekey.IsEmpty)
        {
            throw new CardException(CardProblem.Malformed, "the card is damaged (its post-quantum key is missing or invalid)");
        }

        if (DateTimeOffset.FromUnixTimeSeconds(body.ExpiresAt) <= now)
        {
            throw new CardException(CardProblem.Expired, "the card has expired; ask for a new one");
        }

        return new Card(body, bytes);
    }
}
