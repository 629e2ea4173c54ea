using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Protocol;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// Issue 19, transport addresses: the raw framing (preamble, length-prefixed frames) on the server's own HTTP port
/// and on a Unix socket, the advertised endpoints, and a client that falls back from a dead endpoint to a live one.
/// </summary>
public sealed class RawFramingTests
{
    [Fact]
    public async Task The_raw_framing_carries_the_whole_protocol_on_the_HTTP_port_beside_HTTP_itself()
    {
        await using var server = await RunningServer.StartAsync();
        var tcp = TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}");
        await using var connection = await PurrConnection.ConnectAsync(server.Address, tcp, new PurrConnectionOptions());
        Assert.Equal(TransportKind.Tcp, connection.Endpoint.Kind);
        await MailboxRoundTripAsync(connection);

        // The same port still answers HTTP and WebSocket clients.
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal("ok", (await http.GetStringAsync("/healthz")).Trim());
        await using var webSocket = await PurrConnection.ConnectAsync(server.Address);
        Assert.Equal(TransportKind.WebSocket, webSocket.Endpoint.Kind);
    }

    [Fact]
    public async Task A_Unix_socket_in_Urls_serves_the_raw_framing()
    {
        using var directory = new TemporaryDirectory();
        var socket = Path.Combine(directory.Path, "purrd.sock");
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:0;http://unix:{socket}",
        });
        var address = server.Address with { Transports = [TransportEndpoint.Parse($"unix:{socket}")] };
        await using var connection = await PurrConnection.ConnectAsync(address, address.Transports[0], new PurrConnectionOptions());
        Assert.Equal(TransportKind.Unix, connection.Endpoint.Kind);
        await MailboxRoundTripAsync(connection);
    }

    [Fact]
    public async Task A_client_falls_back_from_a_dead_endpoint_to_the_next_and_contacts_work_through_it()
    {
        await using var server = await RunningServer.StartAsync();
        // The WebSocket endpoint the address names is a port nobody listens on; the listed tcp:// endpoint is the server.
        var dead = FreePorts.Next();
        var address = new PurrAddress(server.Address.IdentityKey, "127.0.0.1", dead)
        {
            Transports = [TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}")],
        };
        await using (var connection = await PurrConnection.ConnectAsync(address))
        {
            Assert.Equal(TransportKind.Tcp, connection.Endpoint.Kind);
        }

        await using var profiles = new TestProfiles();
        var alice = profiles.Create(address.ToString(), "Alice");
        var bob = profiles.Create(address.ToString(), "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await alice.SendTextAsync("bob", "through the second endpoint");
        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is TextReceived { Text: "through the second endpoint" });
    }

    [Fact]
    public async Task Purr_ping_falls_back_too_and_says_which_transport_answered()
    {
        await using var server = await RunningServer.StartAsync();
        var address = new PurrAddress(server.Address.IdentityKey, "127.0.0.1", FreePorts.Next())
        {
            Transports = [TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}")],
        };
        var output = await PurrTool.RunAsync(0, "ping", address.ToString());
        Assert.Contains($"ok: server key verified", output, StringComparison.Ordinal);
        Assert.Contains($"via tcp://127.0.0.1:{server.Address.Port}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_endpoint_is_dead_the_error_names_each_and_a_wrong_key_stops_the_search()
    {
        await using var server = await RunningServer.StartAsync();
        var address = new PurrAddress(server.Address.IdentityKey, "127.0.0.1", FreePorts.Next())
        {
            Transports = [TransportEndpoint.Parse($"tcp://127.0.0.1:{FreePorts.Next()}")],
        };
        var error = await Assert.ThrowsAsync<PurrConnectionException>(() => PurrConnection.ConnectAsync(address));
        Assert.Contains("any of its transports", error.Message, StringComparison.Ordinal);
        Assert.Contains("tcp://127.0.0.1:", error.Message, StringComparison.Ordinal);

        var impostor = new PurrAddress(new byte[32], "127.0.0.1", server.Address.Port)
        {
            Transports = [TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}")],
        };
        await Assert.ThrowsAsync<PurrServerKeyMismatchException>(() => PurrConnection.ConnectAsync(impostor));
    }

    [Fact]
    public async Task The_address_and_well_known_document_list_the_advertised_transports()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Transports:Advertise:0"] = "tcp://127.0.0.1:7879",
            ["Transports:Advertise:1"] = "unix:/run/purr/purrd.sock",
        });
        Assert.Equal(["tcp://127.0.0.1:7879", "unix:/run/purr/purrd.sock"], server.Address.Transports.Select(t => t.ToString()));
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var document = await http.GetFromJsonAsync<JsonElement>("/.well-known/purr");
        Assert.Equal(server.Address.ToString(), document.GetProperty("address").GetString());
        Assert.Equal(
            [$"ws://127.0.0.1:{server.Address.Port}/v1/ws", "tcp://127.0.0.1:7879", "unix:/run/purr/purrd.sock"],
            document.GetProperty("transports").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_bad_advertised_endpoint_stops_the_start_with_its_reason()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Transports:Advertise:0"] = "tcp://host:1/path",
        }));
        Assert.Contains("Transports:Advertise", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_frame_is_refused_and_a_silent_raw_client_is_closed_after_the_idle_timeout()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:PingInterval"] = "00:00:01",
            ["Limits:IdleTimeout"] = "00:00:03",
        });
        using (var raw = await RawAsync(server))
        {
            Assert.Equal(ServerFrame.BodyOneofCase.ServerHello, (await ReadFrameAsync(raw))!.BodyCase);
            var header = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(header, 128 * 1024 + 1);
            await raw.WriteAsync(header);
            var refused = await ReadFrameAsync(raw);
            Assert.Equal(ErrorCode.FrameTooLarge, refused!.Error.Code);
            Assert.Null(await ReadFrameAsync(raw));
        }

        using (var silent = await RawAsync(server))
        {
            // It reads the hello and the keep-alives but never answers: closed within the idle timeout (3 s).
            var started = DateTime.UtcNow;
            Assert.Equal(ServerFrame.BodyOneofCase.ServerHello, (await ReadFrameAsync(silent))!.BodyCase);
            Assert.Null(await ReadFrameAsync(silent, skipKeepAlives: true));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        }

        // The client library answers keep-alives: its connection outlives the idle timeout.
        await using var connection = await PurrConnection.ConnectAsync(
            server.Address, TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}"), new PurrConnectionOptions());
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(connection.IsOpen);
        await connection.RequestAsync(new Request { Ping = new Ping() }, signer: null);
    }

    [Fact]
    public async Task Without_the_preamble_a_connection_is_HTTP_and_raw_framing_can_be_turned_off()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Transports:RawFraming"] = "false" });
        var tcp = TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}");
        await Assert.ThrowsAsync<PurrConnectionException>(() => PurrConnection.ConnectAsync(server.Address, tcp, new PurrConnectionOptions()));
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal("ok", (await http.GetStringAsync("/healthz")).Trim());
    }

    private static async Task MailboxRoundTripAsync(PurrConnection connection)
    {
        using var key = Crypto.Ed25519KeyPair.Generate();
        var mailbox = await connection.CreateMailboxAsync(key);
        await connection.SendAsync(mailbox.SendId, "over raw framing"u8.ToArray());
        var fetched = await connection.FetchAsync(mailbox.ReceiveId, key);
        Assert.Equal("over raw framing"u8.ToArray(), fetched!.Payload);
    }

    private static async Task<NetworkStream> RawAsync(RunningServer server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Address.Port);
        var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(RawFraming.Preamble.ToArray());
        return stream;
    }

    /// <summary>The next frame, or null once the server closed the stream.</summary>
    private static async Task<ServerFrame?> ReadFrameAsync(NetworkStream stream, bool skipKeepAlives = true)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reader = new StreamFrameReader(stream, 1 << 20);
        try
        {
            using var frame = await reader.ReadAsync(timeout.Token);
            return frame.Kind == FrameKind.Binary ? ServerFrame.Parser.ParseFrom(frame.Payload.Span) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
