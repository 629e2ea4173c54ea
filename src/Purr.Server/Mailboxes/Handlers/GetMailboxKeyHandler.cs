using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>
/// Gives a mailbox's recipient its mailbox key, sealed to a fresh X25519 key of the client's (the connection may be
/// plain ws://): with it, later connections prove the mailbox with a keyed hash instead of a signature, and the
/// server its hello likewise (PROTOCOL.md 4, "Mailbox keys").
/// </summary>
internal sealed class GetMailboxKeyHandler(MailboxAuthenticator authenticator, ServerIdentity identity) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.GetMailboxKey;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.GetMailboxKey;
        var mailbox = await authenticator.AuthenticateRecipientAsync(request.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        if (request.BoxKey.Length != X25519.KeyBytes)
        {
            return Responses.InvalidArgument($"box_key must be {X25519.KeyBytes} bytes");
        }

        var key = identity.MailboxKey(request.ReceiveId.Span);
        try
        {
            // Null only for a low-order point, which no honest client sends: nobody could open the box, and its secret
            // would be known to all.
            var sealedKey = SealedBox.Seal(key, request.BoxKey.Span);
            return sealedKey is null
                ? Responses.InvalidArgument("box_key is not a usable X25519 public key")
                : new ServerFrame { MailboxKey = new MailboxKey { SealedKey = UnsafeByteOperations.UnsafeWrap(sealedKey) } };
        }
        finally
        {
            ConstantTime.Zero(key);
        }
    }
}
