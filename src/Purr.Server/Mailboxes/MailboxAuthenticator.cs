using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Checks recipient and sender signatures. An unknown mailbox is checked against a throwaway key,
/// so "no such mailbox" and "bad signature" cost the same signature verification and give the same answer.
/// </summary>
public sealed class MailboxAuthenticator(IMailboxStore store)
{
    /// <summary>The mailbox, if it exists and the request is signed by its recipient key; else null.</summary>
    public async ValueTask<MailboxRecord?> AuthenticateRecipientAsync(
        ByteString receiveId, RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await FindAsync(receiveId, cancellationToken);
        return context.IsSignedBy(RequestSigner.Recipient, mailbox?.RecipientKey) ? mailbox : null;
    }

    /// <summary>
    /// For a request signed by someone else (a room member) that names a mailbox: the mailbox, if it exists and
    /// <see cref="RequestContext.MailboxSignature"/> is its recipient key's signature over the same bytes; else null.
    /// </summary>
    public async ValueTask<MailboxRecord?> AuthenticateNamedMailboxAsync(
        ByteString receiveId, RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await FindAsync(receiveId, cancellationToken);
        return context.IsMailboxProvenBy(mailbox?.RecipientKey) ? mailbox : null;
    }

    /// <summary>True when the mailbox is not secured, or the request is signed by its sender key.</summary>
    public static bool AuthenticateSender(MailboxRecord mailbox, RequestContext context)
    {
        if (mailbox.SenderKey is null)
        {
            return true;
        }

        return context.IsSignedBy(RequestSigner.Sender, mailbox.SenderKey);
    }

    private async ValueTask<MailboxRecord?> FindAsync(ByteString receiveId, CancellationToken cancellationToken) =>
        OpaqueId.TryFromBytes(receiveId.Span, out var id) ? await store.FindByReceiveIdAsync(id, cancellationToken) : null;
}
