using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Routing;

/// <summary>Whose key a request signature is checked against; each has its own context string (PROTOCOL.md section 6).</summary>
public enum RequestSigner
{
    /// <summary>A mailbox's recipient key ("purr/v1 recipient request").</summary>
    Recipient,

    /// <summary>A secured mailbox's sender key ("purr/v1 sender request").</summary>
    Sender,

    /// <summary>A room member key ("purr/v1 member request").</summary>
    Member,

    /// <summary>A contact address's key, for its handle ("purr/v1 handle request").</summary>
    Handle,
}

/// <summary>
/// The one place a request's signature over the connection's nonce is verified. Modules' authenticators find
/// the entity a request names (a mailbox, a room member) and ask here; a null key (nothing by that id) is
/// checked against a throwaway key, so an unknown id costs and answers the same as a wrong signature.
/// </summary>
public static class RequestSignatures
{
    /// <summary>ClientFrame.signature, by <paramref name="publicKey"/> in the role <paramref name="signer"/>.</summary>
    public static bool IsSignedBy(this RequestContext context, RequestSigner signer, byte[]? publicKey) =>
        Verify(context, signer, publicKey, context.Signature.Span);

    /// <summary>ClientFrame.mailbox_signature: a named mailbox's recipient key over the same request (CreateRoom, JoinRoom).</summary>
    public static bool IsMailboxProvenBy(this RequestContext context, byte[]? recipientKey) =>
        Verify(context, RequestSigner.Recipient, recipientKey, context.MailboxSignature.Span);

    private static bool Verify(RequestContext context, RequestSigner signer, byte[]? publicKey, ReadOnlySpan<byte> signature)
    {
        var nonce = context.Session.SessionNonce.Span;
        var request = context.RequestBytes.Span;
        var signed = signer switch
        {
            RequestSigner.Recipient => SignedBytes.RecipientRequest(nonce, request),
            RequestSigner.Sender => SignedBytes.SenderRequest(nonce, request),
            RequestSigner.Handle => SignedBytes.HandleRequest(nonce, request),
            _ => SignedBytes.MemberRequest(nonce, request),
        };
        return Ed25519.Verify(publicKey ?? StandInKey.PublicKey, signed, signature);
    }
}
