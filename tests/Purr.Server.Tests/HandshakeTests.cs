using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Well_known_document_describes_the_server_and_its_signed_x25519_key()
    {
        await using var server = await RunningServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var document = await http.GetFromJsonAsync<JsonElement>("/.well-known/purr");

        var address = PurrAddress.Parse(document.GetProperty("address").GetString()!);
        Assert.Equal(server.Address, address);
        Assert.True(Base64Url.TryDecode(document.GetProperty("x25519Key").GetString()!, out var x25519));
        Assert.True(Base64Url.TryDecode(document.GetProperty("x25519Signature").GetString()!, out var signature));
        Assert.True(Ed25519.Verify(address.IdentityKey, SignedBytes.ServerX25519(x25519), signature));
        Assert.Equal(1, document.GetProperty("protocolVersion").GetInt32());
        Assert.Equal("mailboxes", document.GetProperty("modules")[0].GetString());
        Assert.Equal(131072, document.GetProperty("limits").GetProperty("maxFrameBytes").GetInt32());
        Assert.Equal(65536, document.GetProperty("limits").GetProperty("maxMessageBytes").GetInt32());
    }

    [Fact]
    public async Task Server_hello_is_the_first_frame_and_carries_key_nonce_and_limits()
    {
        await using var server = await RunningServer.StartAsync();
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(server.Address.IdentityKey, raw.Hello.ServerIdentityKey.ToByteArray());
        Assert.Equal(32, raw.Hello.SessionNonce.Length);
        Assert.Equal(1u, raw.Hello.MinVersion);
        Assert.Equal(128u, raw.Hello.Limits.MailboxQuota);

        await using var other = await RawClient.ConnectAsync(server.WebSocketUri);
        Assert.NotEqual(raw.Hello.SessionNonce, other.Hello.SessionNonce);
    }

    [Fact]
    public async Task Client_refuses_a_server_whose_key_differs_from_the_pinned_address()
    {
        await using var server = await RunningServer.StartAsync();
        var impostor = server.Address with { IdentityKey = SecureRandom.Bytes(32) };
        var error = await Assert.ThrowsAsync<PurrServerKeyMismatchException>(() => PurrConnection.ConnectAsync(impostor));
        Assert.Contains("refusing to connect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_reports_an_unreachable_server_clearly()
    {
        await using var server = await RunningServer.StartAsync();
        var nowhere = server.Address with { Port = 1 };
        var error = await Assert.ThrowsAsync<PurrConnectionException>(() => PurrConnection.ConnectAsync(nowhere));
        Assert.Contains("could not reach", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_protocol_version_gets_a_clear_error_and_the_connection_closes()
    {
        await using var server = await RunningServer.StartAsync();
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() =>
            PurrConnection.ConnectAsync(server.Address, new PurrConnectionOptions { ProtocolVersion = 99 }));
        Assert.Equal(ErrorCode.UnsupportedVersion, error.Code);
        Assert.Contains("versions 1 to 1", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_before_the_hello_are_refused()
    {
        await using var server = await RunningServer.StartAsync();
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendRequestAsync(new Request { Id = 1, Ping = new Ping() });
        var response = await raw.ReceiveAsync();
        Assert.Equal(ErrorCode.HelloRequired, response!.Error.Code);
        Assert.Equal(1ul, response.RequestId);
        await raw.HelloAsync(id: 2);
        await raw.SendRequestAsync(new Request { Id = 3, Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(new byte[32]) } });
        Assert.Equal(ErrorCode.HelloRequired, (await raw.ReceiveAsync())!.Error.Code);
    }

    [Fact]
    public async Task Hello_with_a_short_client_nonce_is_an_invalid_argument()
    {
        await using var server = await RunningServer.StartAsync();
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        await raw.SendRequestAsync(new Request { Id = 1, Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(new byte[8]) } });
        Assert.Equal(ErrorCode.InvalidArgument, (await raw.ReceiveAsync())!.Error.Code);
    }

    [Fact]
    public async Task Client_that_never_says_hello_is_closed_at_the_handshake_timeout()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time);
        await using var silent = await RawClient.ConnectAsync(server.WebSocketUri);
        await using var polite = await server.ConnectAsync();

        time.Advance(TimeSpan.FromSeconds(11));
        var error = await silent.ReceiveAsync();
        Assert.Equal(ErrorCode.HandshakeTimeout, error!.Error.Code);
        Assert.Null(await silent.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, silent.CloseStatus);
        await polite.PingAsync();
    }

    [Fact]
    public async Task Identity_key_is_made_once_kept_private_and_reused_after_restart()
    {
        using var data = new TemporaryDirectory();
        PurrAddress first;
        await using (var server = await RunningServer.StartAsync(dataDirectory: data.Path))
        {
            first = server.Address;
        }

        var keyFile = Path.Combine(data.Path, "server.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.Equal(64, new FileInfo(keyFile).Length);
        await using var again = await RunningServer.StartAsync(dataDirectory: data.Path);
        Assert.Equal(first.IdentityKey, again.Address.IdentityKey);
    }
}
