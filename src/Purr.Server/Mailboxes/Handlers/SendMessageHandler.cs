using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>
/// Delivers ciphertext to a mailbox by its send id: stored within the quota and pushed to the
/// subscriber, or for a live-only mailbox pushed to the subscriber if any and otherwise dropped.
/// The answer is the same either way, so a sender cannot tell whether the recipient is online. A send to an unsecured
/// mailbox (a card's, an address's) is checked against the mailbox's block list: a blocked tag's message is dropped
/// with the answer of a stored one, so a blocked sender cannot tell (PROTOCOL.md 4, "Blocking").
/// </summary>
internal sealed class SendMessageHandler(
    IMailboxStore store, IMailboxBlockStore blocks, MailboxIntake intake, MailboxSendLimiter sends, IOptions<MailboxOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.SendMessage;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.SendMessage;
        var mailbox = OpaqueId.TryFromBytes(request.SendId.Span, out var sendId)
            ? await store.FindBySendIdAsync(sendId, cancellationToken)
            : null;
        if (mailbox is null || !MailboxAuthenticator.AuthenticateSender(mailbox, context))
        {
            return Responses.Auth();
        }

        if (request.Payload.Length > options.Value.MaxMessageBytes)
        {
            return Responses.Error(ErrorCode.MessageTooLarge, $"payloads are limited to {options.Value.MaxMessageBytes} bytes");
        }

        if (!request.Tag.IsEmpty && !MailboxBlocks.IsValid(request.Tag))
        {
            return Responses.InvalidArgument($"tag must be empty or {MailboxBlocks.TagBytes} bytes");
        }

        if (!sends.TryTake(mailbox.ReceiveId, out var retryAfter))
        {
            return Responses.RateLimited($"this mailbox takes at most {options.Value.SendsPerMinutePerMailbox} messages a minute", retryAfter);
        }

        // Only unsecured mailboxes keep block lists; a secured one's sends are signed, and cost no extra store call.
        if (mailbox.SenderKey is null)
        {
            var check = await blocks.CheckBlockAsync(mailbox.ReceiveId, request.Tag.IsEmpty ? null : MailboxBlocks.Hash(mailbox, request.Tag.Span), cancellationToken);
            if (check.Count > 0 && request.Tag.IsEmpty)
            {
                return Responses.InvalidArgument("this mailbox keeps a block list: a send to it must carry a tag");
            }

            if (check.Blocked)
            {
                return new ServerFrame { MessageAccepted = new MessageAccepted { MessageId = ByteString.CopyFrom(Core.Ids.OpaqueId.NewRandom().ToBytes()) } };
            }
        }

        var accepted = await intake.AcceptAsync(mailbox, MailboxMessages.OwnedBytes(request.Payload), cancellationToken);
        switch (accepted.Result)
        {
            case EnqueueResult.Stored or EnqueueResult.StoredAsHead:
                if (accepted.Push is { } push)
                {
                    context.AfterResponse(push);
                }

                return new ServerFrame { MessageAccepted = new MessageAccepted { MessageId = UnsafeByteOperations.UnsafeWrap(accepted.Message.Id.ToBytes()) } };
            case EnqueueResult.QuotaExceeded:
                return Responses.Error(ErrorCode.QuotaExceeded, "the mailbox is full; nothing was dropped");
            default:
                return Responses.Auth();
        }
    }
}
