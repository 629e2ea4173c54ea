using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.TestKit;
using ErrorCode = Purr.Protocol.V1.ErrorCode;

namespace Purr.Server.Tests.Mailboxes;

/// <summary>
/// Mailbox keys (PROTOCOL.md 4, "Mailbox keys"): a keyed hash in place of the recipient's signature, and of the server's
/// in the hello. Each must prove exactly what the signature proved: this mailbox, this connection, this request.
/// </summary>
public sealed class MailboxKeyTests
{
    [Fact]
    public void Purrd_derives_the_mailbox_key_of_the_shared_vectors_from_its_identity_seed()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", "mailbox-keys-v1.json")))!;
        byte[] Hex(string name) => Convert.FromHexString(vectors[name]!.GetValue<string>());
        using var data = new TemporaryDirectory();
        File.WriteAllBytes(Path.Combine(data.Path, ServerIdentityFile.FileName), [.. Hex("identity_seed"), .. Enumerable.Repeat((byte)0x11, 32)]);
        using var identity = ServerIdentityFile.LoadOrCreate(data.Path);
        Assert.Equal(Hex("mailbox_key"), identity.MailboxKey(Hex("receive_id")));
        Assert.NotEqual(Hex("mailbox_key"), identity.MailboxKey(new byte[16]));
    }

    [Fact]
    public async Task A_mailbox_key_proves_the_mailbox_on_another_connection_in_place_of_a_signature()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var setup = await server.ConnectAsync();
        using var recipientKey = Ed25519KeyPair.Generate();
        var mailbox = await setup.CreateMailboxAsync(recipientKey);
        var credential = await setup.GetMailboxKeyAsync(mailbox.ReceiveId, recipientKey);
        Assert.Equal(MailboxMacs.KeyBytes, credential.Key.Length);
        var sent = await setup.SendAsync(mailbox.SendId, "first"u8.ToArray());

        await using var recipient = await server.ConnectAsync(new PurrConnectionOptions { HelloMailbox = credential });
        var fetched = await recipient.RequestWithMacAsync(new Request { Fetch = new Fetch { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId) } }, credential);
        Assert.Equal(sent, fetched.FetchResult.Message.MessageId.ToByteArray());

        await recipient.SubscribeAsync(credential);
        var pushed = await recipient.NextAsync<MessageReceived>();
        Assert.Equal(sent, pushed.MessageId);
        // The subscription speaks for the recipient, as a signed one does: its acks need nothing.
        await recipient.AckAsync(mailbox.ReceiveId, pushed.MessageId, recipientKey);
        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, recipientKey));
    }

    [Fact]
    public async Task The_key_is_the_same_on_every_connection_and_after_a_restart_and_differs_between_mailboxes()
    {
        using var data = new TemporaryDirectory();
        using var recipientKey = Ed25519KeyPair.Generate();
        MailboxInfo first, second;
        byte[] before;
        await using (var server = await RunningServer.StartAsync("sqlite", data.Path))
        {
            await using var connection = await server.ConnectAsync();
            first = await connection.CreateMailboxAsync(recipientKey);
            second = await connection.CreateMailboxAsync(recipientKey);
            before = (await connection.GetMailboxKeyAsync(first.ReceiveId, recipientKey)).Key;
            await using var other = await server.ConnectAsync();
            Assert.Equal(before, (await other.GetMailboxKeyAsync(first.ReceiveId, recipientKey)).Key);
            Assert.NotEqual(before, (await other.GetMailboxKeyAsync(second.ReceiveId, recipientKey)).Key);
        }

        await using (var restarted = await RunningServer.StartAsync("sqlite", data.Path))
        {
            var credential = new MailboxCredential(first.ReceiveId, before);
            await using var connection = await restarted.ConnectAsync(new PurrConnectionOptions { HelloMailbox = credential });
            await connection.SubscribeAsync(credential);
            Assert.Equal(before, (await connection.GetMailboxKeyAsync(first.ReceiveId, recipientKey)).Key);
        }
    }

    [Fact]
    public async Task A_wrong_misplaced_replayed_or_short_mac_is_refused_as_a_wrong_signature_is()
    {
        await using var server = await RunningServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var recipientKey = Ed25519KeyPair.Generate();
        var mailbox = await connection.CreateMailboxAsync(recipientKey);
        var other = await connection.CreateMailboxAsync(recipientKey);
        var credential = await connection.GetMailboxKeyAsync(mailbox.ReceiveId, recipientKey);
        var otherCredential = await connection.GetMailboxKeyAsync(other.ReceiveId, recipientKey);

        var nextId = 1_000_000UL;
        async Task AssertAuthAsync(PurrConnection on, Request request, Func<byte[], byte[]> mac, Func<byte[], byte[]>? signer = null)
        {
            // Raw frames carry their own ids: each above any the library used before, and the library continues above it.
            request.Id = nextId += 1_000;
            var bytes = request.ToByteArray();
            var frame = new ClientFrame { Request = ByteString.CopyFrom(bytes), MailboxMac = ByteString.CopyFrom(mac(bytes)) };
            if (signer is not null)
            {
                frame.Signature = ByteString.CopyFrom(signer(bytes));
            }

            var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => on.SendRawFrameAsync(frame.ToByteArray(), request.Id));
            Assert.Equal(ErrorCode.Auth, refused.Code);
        }

        Request Subscribe(byte[] receiveId) => new() { Subscribe = new Subscribe { ReceiveId = ByteString.CopyFrom(receiveId) } };

        // Random bytes; another mailbox's key; 31 bytes of the right MAC.
        await AssertAuthAsync(connection, Subscribe(mailbox.ReceiveId), _ => SecureRandom.Bytes(32));
        await AssertAuthAsync(connection, Subscribe(mailbox.ReceiveId), connection.RecipientMac(otherCredential));
        await AssertAuthAsync(connection, Subscribe(mailbox.ReceiveId), bytes => connection.RecipientMac(credential)(bytes)[..31]);
        // A MAC is checked when present, even beside a valid signature.
        await AssertAuthAsync(connection, Subscribe(mailbox.ReceiveId), _ => new byte[32], connection.RecipientSigner(recipientKey));

        // A MAC made over one connection's nonce fails on another: the same frame, replayed there; on its own it is good.
        await using var second = await server.ConnectAsync();
        var replayed = Subscribe(mailbox.ReceiveId);
        replayed.Id = nextId += 1_000;
        var replayedBytes = replayed.ToByteArray();
        var frame = new ClientFrame { Request = ByteString.CopyFrom(replayedBytes), MailboxMac = ByteString.CopyFrom(connection.RecipientMac(credential)(replayedBytes)) };
        var replayRefused = await Assert.ThrowsAsync<PurrProtocolException>(() => second.SendRawFrameAsync(frame.ToByteArray(), replayed.Id));
        Assert.Equal(ErrorCode.Auth, replayRefused.Code);
        Assert.Equal(ServerFrame.BodyOneofCase.Ok, (await connection.SendRawFrameAsync(frame.ToByteArray(), replayed.Id)).BodyCase);

        // No mailbox can be created with a MAC: it has no key before it exists.
        using var newKey = Ed25519KeyPair.Generate();
        await AssertAuthAsync(
            connection,
            new Request { CreateMailbox = new CreateMailbox { RecipientKey = ByteString.CopyFrom(newKey.PublicKey) } },
            connection.RecipientMac(credential));

        // A deleted mailbox's key still hashes, and still gets nothing.
        await connection.DeleteMailboxAsync(mailbox.ReceiveId, recipientKey);
        await AssertAuthAsync(connection, Subscribe(mailbox.ReceiveId), connection.RecipientMac(credential));
    }

    [Fact]
    public async Task A_hello_naming_a_mailbox_is_proven_with_its_key_and_a_client_with_a_wrong_key_refuses_the_server()
    {
        await using var server = await RunningServer.StartAsync();
        await using var setup = await server.ConnectAsync();
        using var recipientKey = Ed25519KeyPair.Generate();
        var mailbox = await setup.CreateMailboxAsync(recipientKey);
        var credential = await setup.GetMailboxKeyAsync(mailbox.ReceiveId, recipientKey);

        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        var clientNonce = SecureRandom.Bytes(32);
        await raw.SendRequestAsync(new Request
        {
            Id = 1,
            Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(clientNonce), MailboxId = ByteString.CopyFrom(mailbox.ReceiveId) },
        });
        var accepted = (await raw.ReceiveAsync())!.HelloAccepted;
        Assert.True(accepted.Signature.IsEmpty);
        Assert.Equal(MailboxMacs.Hello(credential.Key, raw.Hello.SessionNonce.Span, clientNonce), accepted.Mac.ToByteArray());

        // Any 16-byte id has a key, so the hello says nothing of whether a mailbox exists; the wrong key is refused.
        var impostor = new MailboxCredential(SecureRandom.Bytes(16), SecureRandom.Bytes(32));
        var refused = await Assert.ThrowsAsync<PurrServerKeyMismatchException>(
            () => server.ConnectAsync(new PurrConnectionOptions { HelloMailbox = impostor }));
        Assert.Contains("refusing to connect", refused.Message, StringComparison.Ordinal);

        await using var shortId = await RawClient.ConnectAsync(server.WebSocketUri);
        await shortId.SendRequestAsync(new Request
        {
            Id = 1,
            Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(clientNonce), MailboxId = ByteString.CopyFrom(new byte[15]) },
        });
        var error = (await shortId.ReceiveAsync())!.Error;
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains("mailbox_id", error.Detail, StringComparison.Ordinal);
        // The hello is not done: it can be sent again, correctly.
        await shortId.HelloAsync(id: 2);
    }

    [Fact]
    public async Task The_key_is_given_only_to_the_recipient_and_only_sealed_to_a_usable_key()
    {
        await using var server = await RunningServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var recipientKey = Ed25519KeyPair.Generate();
        using var strangerKey = Ed25519KeyPair.Generate();
        var mailbox = await connection.CreateMailboxAsync(recipientKey);

        var stranger = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.GetMailboxKeyAsync(mailbox.ReceiveId, strangerKey));
        Assert.Equal(ErrorCode.Auth, stranger.Code);
        var unknown = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.GetMailboxKeyAsync(SecureRandom.Bytes(16), recipientKey));
        Assert.Equal(ErrorCode.Auth, unknown.Code);

        Task<PurrProtocolException> AskAsync(byte[] boxKey) => Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(
            new Request { GetMailboxKey = new GetMailboxKey { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId), BoxKey = ByteString.CopyFrom(boxKey) } },
            connection.RecipientSigner(recipientKey)));

        var wrongLength = await AskAsync(new byte[31]);
        Assert.Equal(ErrorCode.InvalidArgument, wrongLength.Code);
        Assert.Contains("box_key", wrongLength.Detail, StringComparison.Ordinal);
        // A low-order point (here the one of order 1): sealing to it would give a secret everyone knows.
        var lowOrder = new byte[32];
        lowOrder[0] = 1;
        Assert.Equal(ErrorCode.InvalidArgument, (await AskAsync(lowOrder)).Code);

        // What comes back opens only with the box key it was sealed to.
        using var box = X25519KeyPair.Generate();
        using var otherBox = X25519KeyPair.Generate();
        var response = await connection.RequestAsync(
            new Request { GetMailboxKey = new GetMailboxKey { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId), BoxKey = ByteString.CopyFrom(box.PublicKey) } },
            connection.RecipientSigner(recipientKey));
        Assert.Equal(MailboxMacs.KeyBytes + SealedBox.OverheadBytes, response.MailboxKey.SealedKey.Length);
        Assert.Null(SealedBox.Open(response.MailboxKey.SealedKey.Span, otherBox));
        Assert.NotNull(SealedBox.Open(response.MailboxKey.SealedKey.Span, box));
    }
}
