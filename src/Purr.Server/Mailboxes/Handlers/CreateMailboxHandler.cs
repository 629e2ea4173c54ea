using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Registration;
using Purr.Server.Routing;

namespace Purr.Server.Mailboxes.Handlers;

/// <summary>
/// Creates a mailbox. The request is signed by the new recipient key, proving the creator holds it, and carries
/// what the registration policy asks for (<see cref="CreationGate"/>).
/// </summary>
internal sealed class CreateMailboxHandler(IMailboxStore store, CreationGate gate, IOptions<MailboxOptions> options) : IRequestHandler
{
    private const int IdAttempts = 4;

    public Request.OpOneofCase Operation => Request.OpOneofCase.CreateMailbox;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.CreateMailbox;
        if (request.RecipientKey.Length != Ed25519.PublicKeyBytes)
        {
            return Responses.InvalidArgument($"recipient_key must be {Ed25519.PublicKeyBytes} bytes");
        }

        var recipientKey = request.RecipientKey.ToByteArray();
        if (!context.IsSignedBy(RequestSigner.Recipient, recipientKey))
        {
            return Responses.Auth();
        }

        // Who may create is the registration policy's call, after the request proved itself.
        if (await gate.AdmitAsync(context, request.Registration, cancellationToken) is { } unregistered)
        {
            return unregistered;
        }

        var limits = options.Value;
        var lifetime = request.HasLifetimeSeconds ? request.LifetimeSeconds : (uint)limits.DefaultLifetimeSeconds;
        lifetime = Math.Min(lifetime, (uint)limits.MaxLifetimeSeconds);
        for (var attempt = 0; attempt < IdAttempts; attempt++)
        {
            var mailbox = new MailboxRecord(OpaqueId.NewRandom(), OpaqueId.NewRandom(), recipientKey, null, lifetime, limits.Quota);
            if (await store.CreateMailboxAsync(mailbox, cancellationToken))
            {
                return new ServerFrame
                {
                    MailboxCreated = new MailboxCreated
                    {
                        ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId.ToBytes()),
                        SendId = ByteString.CopyFrom(mailbox.SendId.ToBytes()),
                        LifetimeSeconds = lifetime,
                        Quota = (uint)limits.Quota,
                    },
                };
            }
        }

        // 128-bit random ids colliding four times means the random source is broken.
        throw new InvalidOperationException("could not draw unused mailbox ids");
    }
}
