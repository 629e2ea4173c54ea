using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>
/// Mailbox operations. Every recipient request is signed by the mailbox's recipient key over this connection's nonce,
/// or proven by the mailbox's key (<see cref="RequestWithMacAsync(Request, MailboxCredential, CancellationToken)"/>).
/// </summary>
public sealed partial class PurrConnection
{
    /// <param name="lifetimeSeconds">Null: the server default. 0: live only. Above the server maximum: lowered to it.</param>
    public async Task<MailboxInfo> CreateMailboxAsync(
        Ed25519KeyPair recipientKey, uint? lifetimeSeconds = null, CancellationToken cancellationToken = default)
    {
        var response = await CreatingAsync(registration =>
        {
            var create = new CreateMailbox { RecipientKey = ByteString.CopyFrom(recipientKey.PublicKey), Registration = registration };
            if (lifetimeSeconds is { } lifetime)
            {
                create.LifetimeSeconds = lifetime;
            }

            return RequestAsync(new Request { CreateMailbox = create }, RecipientSigner(recipientKey), cancellationToken);
        }, cancellationToken);
        var created = response.MailboxCreated;
        return new MailboxInfo(created.ReceiveId.ToByteArray(), created.SendId.ToByteArray(), created.LifetimeSeconds, created.Quota);
    }

    public Task SecureMailboxAsync(byte[] receiveId, Ed25519KeyPair recipientKey, byte[] senderPublicKey, CancellationToken cancellationToken = default) =>
        RecipientRequestAsync(
            new Request { SecureMailbox = new SecureMailbox { ReceiveId = ByteString.CopyFrom(receiveId), SenderKey = ByteString.CopyFrom(senderPublicKey) } },
            receiveId,
            recipientKey,
            cancellationToken);

    /// <summary>Sends ciphertext to a mailbox; sign with <paramref name="senderKey"/> when the mailbox is secured. Returns the message id.</summary>
    /// <param name="tag">A block tag (32 bytes) for an unsecured mailbox that keeps a block list (an address's), or null.</param>
    public async Task<byte[]> SendAsync(
        byte[] sendId, ReadOnlyMemory<byte> payload, Ed25519KeyPair? senderKey = null, byte[]? tag = null, CancellationToken cancellationToken = default)
    {
        var send = new SendMessage { SendId = ByteString.CopyFrom(sendId), Payload = ByteString.CopyFrom(payload.Span) };
        if (tag is not null)
        {
            send.Tag = ByteString.CopyFrom(tag);
        }

        var response = await RequestAsync(
            new Request { SendMessage = send },
            senderKey is null ? null : SenderSigner(senderKey),
            cancellationToken);
        return response.MessageAccepted.MessageId.ToByteArray();
    }

    /// <summary>Adds block tags to one of this client's mailboxes (or, with <paramref name="clear"/>, empties its list first).</summary>
    public Task BlockSendersAsync(byte[] receiveId, Ed25519KeyPair recipientKey, IEnumerable<byte[]> tags, bool clear = false, CancellationToken cancellationToken = default) =>
        RecipientRequestAsync(
            new Request { BlockSenders = new BlockSenders { ReceiveId = ByteString.CopyFrom(receiveId), Tags = { tags.Select(ByteString.CopyFrom) }, Clear = clear } },
            receiveId,
            recipientKey,
            cancellationToken);

    /// <summary>
    /// Asks the server for the mailbox's key (PROTOCOL.md 4, "Mailbox keys"), sealed to a fresh X25519 key made for this
    /// request. The same key comes on every connection and after the server restarts; keep it as secret as the recipient key.
    /// </summary>
    public async Task<MailboxCredential> GetMailboxKeyAsync(byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        using var box = X25519KeyPair.Generate();
        var response = await RequestAsync(
            new Request { GetMailboxKey = new GetMailboxKey { ReceiveId = ByteString.CopyFrom(receiveId), BoxKey = ByteString.CopyFrom(box.PublicKey) } },
            RecipientSigner(recipientKey),
            cancellationToken);
        var key = SealedBox.Open(response.MailboxKey.SealedKey.Span, box);
        if (key is not { Length: Protocol.MailboxMacs.KeyBytes })
        {
            throw new PurrConnectionException("the server's mailbox key did not open with the key it was sealed to");
        }

        return new MailboxCredential(receiveId, key);
    }

    /// <summary>Subscribes; the head message then arrives on <see cref="Events"/>, and each next one after its ack.</summary>
    public async Task SubscribeAsync(byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        await RecipientRequestAsync(new Request { Subscribe = new Subscribe { ReceiveId = ByteString.CopyFrom(receiveId) } }, receiveId, recipientKey, cancellationToken);
        subscribed[Convert.ToHexStringLower(receiveId)] = true;
    }

    /// <summary>Subscribes, proving the mailbox with its key instead of a signature.</summary>
    public async Task SubscribeAsync(MailboxCredential mailbox, CancellationToken cancellationToken = default)
    {
        await RequestWithMacAsync(new Request { Subscribe = new Subscribe { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId) } }, mailbox, cancellationToken);
        subscribed[Convert.ToHexStringLower(mailbox.ReceiveId)] = true;
    }

    public async Task UnsubscribeAsync(byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        subscribed.TryRemove(Convert.ToHexStringLower(receiveId), out _);
        await RecipientRequestAsync(new Request { Unsubscribe = new Unsubscribe { ReceiveId = ByteString.CopyFrom(receiveId) } }, receiveId, recipientKey, cancellationToken);
    }

    public async Task<FetchedMessage?> FetchAsync(byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        var response = await RecipientRequestAsync(
            new Request { Fetch = new Fetch { ReceiveId = ByteString.CopyFrom(receiveId) } }, receiveId, recipientKey, cancellationToken);
        var message = response.FetchResult.Message;
        return message is null
            ? null
            : new FetchedMessage(message.MessageId.ToByteArray(), message.Payload.ToByteArray(), DateTimeOffset.FromUnixTimeSeconds(message.ReceivedAt));
    }

    /// <summary>
    /// Acknowledges the head message. On a connection holding the mailbox's subscription the ack goes
    /// unproven (the subscription already proved the key; PROTOCOL.md section 4); elsewhere it is signed or MACed.
    /// </summary>
    public Task AckAsync(byte[] receiveId, byte[] messageId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        var ack = new Request { Ack = new Ack { ReceiveId = ByteString.CopyFrom(receiveId), MessageId = ByteString.CopyFrom(messageId) } };
        return subscribed.ContainsKey(Convert.ToHexStringLower(receiveId))
            ? RequestAsync(ack, null, cancellationToken)
            : RecipientRequestAsync(ack, receiveId, recipientKey, cancellationToken);
    }

    public Task DeleteMailboxAsync(byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken = default)
    {
        subscribed.TryRemove(Convert.ToHexStringLower(receiveId), out _);
        return RecipientRequestAsync(new Request { DeleteMailbox = new DeleteMailbox { ReceiveId = ByteString.CopyFrom(receiveId) } }, receiveId, recipientKey, cancellationToken);
    }

    /// <summary>
    /// A request the recipient key proves: with the mailbox's key when <see cref="PurrConnectionOptions.MailboxKeys"/> has
    /// one (a keyed hash instead of a signature, PROTOCOL.md 4), else signed. A MAC the server refuses (a server from
    /// before mailbox keys ignores it) is followed by the signed request once, so a stale key never locks a mailbox out.
    /// </summary>
    private async Task<ServerFrame> RecipientRequestAsync(Request request, byte[] receiveId, Ed25519KeyPair recipientKey, CancellationToken cancellationToken)
    {
        if (options.MailboxKeys?.Invoke(receiveId) is { Length: Protocol.MailboxMacs.KeyBytes } key)
        {
            try
            {
                return await RequestWithMacAsync(request, new MailboxCredential(receiveId, key), cancellationToken);
            }
            catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
            {
                // The signature decides; the request gets a new id.
                options.MailboxKeyRefused?.Invoke(receiveId);
            }
        }

        return await RequestAsync(request, RecipientSigner(recipientKey), cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        RequestAsync(new Request { Ping = new Ping() }, null, cancellationToken);
}
