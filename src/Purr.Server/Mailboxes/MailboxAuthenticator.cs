using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Checks recipient and sender signatures. An unknown mailbox is checked against a throwaway key,
/// so "no such mailbox" and "bad signature" cost the same signature verification and give the same answer.
/// </summary>
public sealed class MailboxAuthenticator(IMailboxStore store)
{
    /// <summary>The mailbox, if it exists and the request is signed by its recipient key; else null.</summary>
    public ValueTask<MailboxRecord?> AuthenticateRecipientAsync(
        ByteString receiveId, RequestContext context, CancellationToken cancellationToken) =>
        VerifyAsync(receiveId, context, context.Signature, cancellationToken);

    /// <summary>
    /// For a request signed by someone else (a room member) that names a mailbox: the mailbox, if it exists and
    /// <see cref="RequestContext.MailboxSignature"/> is its recipient key's signature over the same bytes; else null.
    /// </summary>
    public ValueTask<MailboxRecord?> AuthenticateNamedMailboxAsync(
        ByteString receiveId, RequestContext context, CancellationToken cancellationToken) =>
        VerifyAsync(receiveId, context, context.MailboxSignature, cancellationToken);

    private async ValueTask<MailboxRecord?> VerifyAsync(
        ByteString receiveId, RequestContext context, ByteString signature, CancellationToken cancellationToken)
    {
        var mailbox = OpaqueId.TryFromBytes(receiveId.Span, out var id)
            ? await store.FindByReceiveIdAsync(id, cancellationToken)
            : null;
        var signed = SignedBytes.RecipientRequest(context.Session.SessionNonce.Span, context.RequestBytes.Span);
        var valid = Ed25519.Verify(mailbox?.RecipientKey ?? StandInKey.PublicKey, signed, signature.Span);
        return valid ? mailbox : null;
    }

    /// <summary>True when the mailbox is not secured, or the request is signed by its sender key.</summary>
    public static bool AuthenticateSender(MailboxRecord mailbox, RequestContext context)
    {
        if (mailbox.SenderKey is null)
        {
            return true;
        }

        var signed = SignedBytes.SenderRequest(context.Session.SessionNonce.Span, context.RequestBytes.Span);
        return Ed25519.Verify(mailbox.SenderKey, signed, context.Signature.Span);
    }
}
