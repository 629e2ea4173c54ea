using Microsoft.Extensions.Options;
using Purr.Core.Mailboxes;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>
/// The recipient adds block tags to its mailbox's list (or empties it): sends to the unsecured mailbox that carry a
/// listed tag are dropped from then on. The server keeps only keyed hashes (<see cref="MailboxBlocks"/>).
/// </summary>
internal sealed class BlockSendersHandler(MailboxAuthenticator authenticator, IMailboxBlockStore blocks, IOptions<MailboxOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.BlockSenders;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.BlockSenders;
        var mailbox = await authenticator.AuthenticateRecipientAsync(request.ReceiveId, context, cancellationToken);
        if (mailbox is null)
        {
            return Responses.Auth();
        }

        if (request.Tags.Count > MailboxBlocks.MaxTagsPerRequest || !request.Tags.All(MailboxBlocks.IsValid))
        {
            return Responses.InvalidArgument($"at most {MailboxBlocks.MaxTagsPerRequest} tags of {MailboxBlocks.TagBytes} bytes each");
        }

        var hashes = request.Tags.Select(tag => MailboxBlocks.Hash(mailbox, tag.Span)).ToList();
        return await blocks.UpdateBlocksAsync(mailbox.ReceiveId, hashes, request.Clear, options.Value.MaxBlockedTags, cancellationToken)
            ? Responses.Ok()
            : Responses.Auth();
    }
}
