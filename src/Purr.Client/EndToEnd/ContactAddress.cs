using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// A contact address: a reusable link that takes many contact requests (PROTOCOL.md 10.8). It names a mailbox and
/// an X25519 key requests are sealed to, signed by the address's own Ed25519 key. No contact ever sees a key of the
/// owner's from it: each request carries the requester's card, and the owner answers that card with a fresh identity.
/// </summary>
public sealed class ContactAddress
{
    /// <summary>A post-quantum address: requests to it are sealed with X25519 and ML-KEM-768 together.</summary>
    public const uint Version = 2;

    /// <summary>An address from a client before post-quantum addresses: still accepted.</summary>
    public const uint ClassicVersion = 1;
    public const string LinkPrefix = "purr:address/";

    private ContactAddress(AddressBody body, byte[] signedBytes)
    {
        Body = body;
        SignedBytes = signedBytes;
    }

    public AddressBody Body { get; }

    public byte[] SignedBytes { get; }

    public string Link => LinkPrefix + Base64Url.Encode(SignedBytes);

    /// <summary>Whether requests to this address are sealed post-quantum too.</summary>
    public bool IsPostQuantum => Body.Version == Version;

    public static bool LooksLikeAddress(string text) => text.Trim().StartsWith(LinkPrefix, StringComparison.Ordinal);

    /// <param name="requestKemSeed">The 64-byte ML-KEM-768 seed of a post-quantum address; null for a classic (version 1) one.</param>
    public static ContactAddress Create(
        Ed25519KeyPair addressKey, X25519KeyPair requestKey, MailboxAddress mailbox, string displayName, byte[]? requestKemSeed = null)
    {
        var body = new AddressBody
        {
            Version = requestKemSeed is null ? ClassicVersion : Version,
            AddressKey = ByteString.CopyFrom(addressKey.PublicKey),
            RequestKey = ByteString.CopyFrom(requestKey.PublicKey),
            Mailbox = mailbox,
            DisplayName = displayName,
        };
        if (requestKemSeed is not null)
        {
            body.RequestKemKey = ByteString.CopyFrom(MlKem768.PublicKeyFromSeed(requestKemSeed));
        }

        var bodyBytes = body.ToByteArray();
        var signature = addressKey.Sign(EndToEndContexts.With(EndToEndContexts.Address, bodyBytes));
        return new ContactAddress(body, new SignedAddress { Body = ByteString.CopyFrom(bodyBytes), Signature = ByteString.CopyFrom(signature) }.ToByteArray());
    }

    /// <summary>Reads a purr:address/ link, checks its signature and version.</summary>
    public static ContactAddress Parse(string text)
    {
        text = text.Trim();
        if (!text.StartsWith(LinkPrefix, StringComparison.Ordinal))
        {
            throw new CardException(CardProblem.Malformed, "this is not a Purr contact address (it should start with purr:address/)");
        }

        const string Incomplete = "the address link is incomplete or damaged (was it cut off when copied?); copy the whole link again";
        if (!Base64Url.TryDecode(text[LinkPrefix.Length..], out var bytes))
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        SignedAddress signed;
        AddressBody body;
        try
        {
            signed = SignedAddress.Parser.ParseFrom(bytes);
            body = AddressBody.Parser.ParseFrom(signed.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        if (signed.Signature.Length != Ed25519.SignatureBytes || body.AddressKey.Length != Ed25519.PublicKeyBytes
            || body.RequestKey.Length != X25519.KeyBytes || body.Mailbox is null || body.Mailbox.SendId.Length != 16
            || !PurrAddress.TryParse(body.Mailbox.Server, out _, out _))
        {
            throw new CardException(CardProblem.Malformed, Incomplete);
        }

        if (!Ed25519.Verify(body.AddressKey.Span, EndToEndContexts.With(EndToEndContexts.Address, signed.Body.ToByteArray()), signed.Signature.Span))
        {
            throw new CardException(CardProblem.Tampered, "the address's signature does not match: a character of it was changed or someone altered it; copy the whole link again");
        }

        if (body.Version is not (Version or ClassicVersion))
        {
            throw new CardException(CardProblem.UnsupportedVersion, $"the address has version {body.Version}; this client reads versions {ClassicVersion} and {Version}");
        }

        if (body.Version == Version ? !MlKem768.IsValidEncapsulationKey(body.RequestKemKey.Span) : !body.RequestKemKey.IsEmpty)
        {
            throw new CardException(CardProblem.Malformed, "the address is damaged (its post-quantum key is missing or invalid)");
        }

        return new ContactAddress(body, bytes);
    }
}
