using System.Net;
using System.Net.WebSockets;
using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Every kind of bad input gets its documented error, and afterwards the server still serves a
/// bystander connection and still holds the message stored before.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private RunningServer server = null!;
    private PurrConnection bystander = null!;
    private Ed25519KeyPair bystanderKey = null!;
    private MailboxInfo bystanderMailbox = null!;

    public async Task InitializeAsync()
    {
        server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxConnectionsPerIp"] = "12",
            ["Limits:SendTimeout"] = "00:00:01",
            ["Limits:OutboundQueueFrames"] = "4",
        });
        bystander = await server.ConnectAsync();
        bystanderKey = Ed25519KeyPair.Generate();
        bystanderMailbox = await bystander.CreateMailboxAsync(bystanderKey);
        await bystander.SendAsync(bystanderMailbox.SendId, "kept"u8.ToArray());
    }

    public async Task DisposeAsync()
    {
        // Whatever the test did, everyone else is still served and nothing stored was lost.
        await bystander.PingAsync();
        Assert.Equal("kept"u8.ToArray(), (await bystander.FetchAsync(bystanderMailbox.ReceiveId, bystanderKey))!.Payload);
        await bystander.DisposeAsync();
        bystanderKey.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Oversized_frame_closes_that_connection_with_FRAME_TOO_LARGE()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendBytesAsync(new byte[(128 * 1024) + 1]);
        Assert.Equal(ErrorCode.FrameTooLarge, (await raw.ReceiveAsync())!.Error.Code);
        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, raw.CloseStatus);
    }

    [Fact]
    public async Task Text_frame_closes_that_connection_with_TEXT_FRAME()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendBytesAsync("{\"hello\":1}"u8.ToArray(), WebSocketMessageType.Text);
        Assert.Equal(ErrorCode.TextFrame, (await raw.ReceiveAsync())!.Error.Code);
        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, raw.CloseStatus);
    }

    [Fact]
    public async Task Malformed_protobuf_gets_MALFORMED_FRAME_and_the_connection_stays_usable()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendBytesAsync([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        var response = await raw.ReceiveAsync();
        Assert.Equal(ErrorCode.MalformedFrame, response!.Error.Code);
        Assert.Equal(0ul, response.RequestId);
        var inner = new ClientFrame { Request = ByteString.CopyFrom(0x0A, 0xFF) };
        await raw.SendBytesAsync(inner.ToByteArray());
        Assert.Equal(ErrorCode.MalformedFrame, (await raw.ReceiveAsync())!.Error.Code);
        await raw.HelloAsync();
    }

    [Fact]
    public async Task Unknown_request_type_gets_UNKNOWN_REQUEST()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.HelloAsync();
        // Field 999 of Request: an operation from some future protocol this server does not know.
        var request = new Request { Id = 2 }.ToByteArray().Concat(new byte[] { 0xBA, 0x3E, 0x00 }).ToArray();
        await raw.SendBytesAsync(new ClientFrame { Request = ByteString.CopyFrom(request) }.ToByteArray());
        var response = await raw.ReceiveAsync();
        Assert.Equal(ErrorCode.UnknownRequest, response!.Error.Code);
        Assert.Equal(2ul, response.RequestId);
    }

    [Fact]
    public async Task Missing_and_reused_request_ids_are_refused()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendRequestAsync(new Request { Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(new byte[32]) } });
        Assert.Equal(ErrorCode.MissingRequestId, (await raw.ReceiveAsync())!.Error.Code);
        await raw.HelloAsync(id: 5);
        await raw.SendRequestAsync(new Request { Id = 5, Ping = new Ping() });
        Assert.Equal(ErrorCode.ReusedRequestId, (await raw.ReceiveAsync())!.Error.Code);
        await raw.SendRequestAsync(new Request { Id = 4, Ping = new Ping() });
        Assert.Equal(ErrorCode.ReusedRequestId, (await raw.ReceiveAsync())!.Error.Code);
        await raw.SendRequestAsync(new Request { Id = 6, Ping = new Ping() });
        Assert.Equal(ServerFrame.BodyOneofCase.Pong, (await raw.ReceiveAsync())!.BodyCase);
    }

    [Fact]
    public async Task Missing_or_bad_signatures_get_AUTH()
    {
        await using var client = await server.ConnectAsync();
        var receiveId = ByteString.CopyFrom(bystanderMailbox.ReceiveId);
        var unsigned = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            client.RequestAsync(new Request { Fetch = new Fetch { ReceiveId = receiveId } }, signer: null));
        var garbage = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            client.RequestAsync(new Request { Fetch = new Fetch { ReceiveId = receiveId } }, _ => new byte[64]));
        var shortSignature = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            client.RequestAsync(new Request { Fetch = new Fetch { ReceiveId = receiveId } }, _ => new byte[3]));
        var createUnsigned = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            client.RequestAsync(new Request { CreateMailbox = new CreateMailbox { RecipientKey = ByteString.CopyFrom(new byte[32]) } }, null));
        var badKey = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            client.RequestAsync(new Request { CreateMailbox = new CreateMailbox { RecipientKey = ByteString.CopyFrom(new byte[5]) } }, null));
        Assert.All(new[] { unsigned, garbage, shortSignature, createUnsigned }, e => Assert.Equal(ErrorCode.Auth, e.Code));
        Assert.Equal(ErrorCode.InvalidArgument, badKey.Code);
    }

    [Fact]
    public async Task Replayed_signed_request_fails_on_the_same_and_on_another_connection()
    {
        await using var first = await server.ConnectAsync();
        var request = new Request { Id = 100, Ack = new Ack { ReceiveId = ByteString.CopyFrom(bystanderMailbox.ReceiveId), MessageId = ByteString.CopyFrom(new byte[16]) } };
        var bytes = request.ToByteArray();
        var signature = bystanderKey.Sign(SignedBytes.RecipientRequest(first.SessionNonce.Span, bytes));
        var frame = new ClientFrame { Request = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(signature) }.ToByteArray();

        // Accepted once (the signature is good; the ack names no head message).
        var once = await Assert.ThrowsAsync<PurrProtocolException>(() => first.SendRawFrameAsync(frame, 100));
        Assert.Equal(ErrorCode.NoMessage, once.Code);
        var again = await Assert.ThrowsAsync<PurrProtocolException>(() => first.SendRawFrameAsync(frame, 100));
        Assert.Equal(ErrorCode.ReusedRequestId, again.Code);

        await using var second = await server.ConnectAsync();
        var elsewhere = await Assert.ThrowsAsync<PurrProtocolException>(() => second.SendRawFrameAsync(frame, 100));
        Assert.Equal(ErrorCode.Auth, elsewhere.Code);
    }

    [Fact]
    public async Task Unknown_and_malformed_mailbox_ids_get_AUTH()
    {
        await using var client = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        foreach (var id in new[] { SecureRandom.Bytes(16), SecureRandom.Bytes(3), Array.Empty<byte>() })
        {
            var error = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SubscribeAsync(id, key));
            Assert.Equal(ErrorCode.Auth, error.Code);
        }
    }

    [Fact]
    public async Task Connections_beyond_the_per_address_limit_get_HTTP_429()
    {
        var open = new List<RawClient>();
        try
        {
            // The bystander holds one of the 12.
            for (var i = 0; i < 11; i++)
            {
                open.Add(await RawClient.ConnectAsync(server.WebSocketUri));
            }

            var refused = await Assert.ThrowsAsync<WebSocketException>(() => RawClient.ConnectAsync(server.WebSocketUri));
            Assert.Contains("429", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }

        // Slots come back when connections close.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var again = await RawClient.ConnectAsync(server.WebSocketUri);
                break;
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task Client_that_stops_reading_is_disconnected_without_unbounded_buffering()
    {
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.HelloAsync();

        // Ask for 64 KiB answers and never read them: the socket buffers fill, the server's queue (4 frames)
        // fills, then it stops reading; the send timeout (1 s) ends the connection.
        using var key = Ed25519KeyPair.Generate();
        await using var helper = await server.ConnectAsync();
        var mailbox = await helper.CreateMailboxAsync(key);
        await helper.SendAsync(mailbox.SendId, new byte[60 * 1024]);
        var admission = (Transport.ConnectionAdmission)server.Services.GetService(typeof(Transport.ConnectionAdmission))!;
        Assert.Equal(3, admission.Open);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        try
        {
            for (ulong id = 2; DateTime.UtcNow < deadline; id++)
            {
                var request = new Request { Id = id, Fetch = new Fetch { ReceiveId = ByteString.CopyFrom(mailbox.ReceiveId) } };
                var bytes = request.ToByteArray();
                var signature = key.Sign(SignedBytes.RecipientRequest(raw.Hello.SessionNonce.Span, bytes));
                var frame = new ClientFrame { Request = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(signature) };
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await raw.SendBytesAsync(frame.ToByteArray()).WaitAsync(timeout.Token);
            }

            Assert.Fail("the server kept reading from a client that never reads");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            // Either our send stalled (the server stopped reading: only kernel socket buffers hold the rest)
            // or the server already dropped us.
        }

        // The server gives up on the connection once a write has waited for the send timeout.
        while (admission.Open != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server kept a connection that stopped reading");
            await Task.Delay(50);
        }

        await helper.PingAsync();
    }
}
