using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Identity;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Checks recipient and sender signatures, and mailbox MACs. An unknown mailbox is checked against a throwaway key,
/// so "no such mailbox" and "bad signature" cost the same signature verification and give the same answer; a MAC
/// costs the same for any id (every id has a mailbox key).
/// </summary>
public sealed class MailboxAuthenticator(IMailboxStore store, ServerIdentity identity)
{
    /// <summary>
    /// The mailbox, if it exists and the request is signed by its recipient key or carries its mailbox MAC
    /// (ClientFrame.mailbox_mac: when present, it is checked and the signature is not); else null.
    /// </summary>
    public async ValueTask<MailboxRecord?> AuthenticateRecipientAsync(
        ByteString receiveId, RequestContext context, CancellationToken cancellationToken)
    {
        var mailbox = await FindAsync(receiveId, cancellationToken);
        var proven = context.MailboxMac.IsEmpty
            ? context.IsSignedBy(RequestSigner.Recipient, mailbox?.RecipientKey)
            : HasMailboxMac(receiveId.Span, context);
        return proven ? mailbox : null;
    }

    /// <summary>ClientFrame.mailbox_mac is the mailbox key of <paramref name="receiveId"/> over this connection's nonce and the request.</summary>
    private bool HasMailboxMac(ReadOnlySpan<byte> receiveId, RequestContext context)
    {
        var key = identity.MailboxKey(receiveId);
        try
        {
            var expected = MailboxMacs.Request(key, context.Session.SessionNonce.Span, context.RequestBytes.Span);
            return MailboxMacs.Matches(expected, context.MailboxMac.Span);
        }
        finally
        {
            ConstantTime.Zero(key);
        }
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
