using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The WebSocket upgrade done on the connection, below Kestrel's HTTP layer (WebSocketUpgradeMiddleware), seen from a
/// bare TCP client: the 101 and what follows it, the refusals, a head that never ends, and the HTTP path it leaves
/// every other connection to. (Every other test's client also connects through it.)
/// </summary>
public sealed class WebSocketUpgradeTests
{
    // RFC 6455 section 1.3's example key and its accept value.
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private const string Accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    [Fact]
    public async Task A_connections_first_request_upgrades_below_HTTP_and_frames_sent_with_the_head_are_kept()
    {
        await using var server = await RunningServer.StartAsync();
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        // The head and, in the same write, a masked text frame: the server must read it as the first WebSocket frame.
        await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(UpgradeHead(server)), .. MaskedTextFrame("hi")]);

        var response = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"\r\nSec-WebSocket-Accept: {Accept}\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nUpgrade: websocket\r\n", response, StringComparison.Ordinal);
        // Kestrel's HTTP layer would have added a Date header, and the web client's middleware its security headers.
        Assert.DoesNotContain("Date:", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Security-Policy", response, StringComparison.Ordinal);

        using var socket = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        Assert.NotNull((await ReceiveFrameAsync(socket)).ServerHello);
        // The text frame is refused as PROTOCOL.md section 5 says: an Error frame, then close 1003.
        Assert.Equal(ErrorCode.TextFrame, (await ReceiveFrameAsync(socket)).Error.Code);
        var closing = await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, socket.CloseStatus);
    }

    [Fact]
    public async Task An_upgrade_after_another_request_on_the_same_connection_goes_through_HTTP_and_works()
    {
        await using var server = await RunningServer.StartAsync();
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /healthz HTTP/1.1\r\nHost: {Host(server)}\r\n\r\n"));
        var health = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 200 ", health, StringComparison.Ordinal);
        var length = int.Parse(health.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await stream.ReadExactlyAsync(new byte[length]);

        await stream.WriteAsync(Encoding.ASCII.GetBytes(UpgradeHead(server)));
        var response = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"Sec-WebSocket-Accept: {Accept}\r\n", response, StringComparison.Ordinal);
        // This time from Kestrel, through the WebSocket endpoint.
        Assert.Contains("Date:", response, StringComparison.Ordinal);
        using var socket = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        Assert.NotNull((await ReceiveFrameAsync(socket)).ServerHello);
    }

    [Fact]
    public async Task A_refused_upgrade_gets_the_endpoints_HTTP_answer_and_the_connection_closes()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Limits:MaxConnections"] = "1" });
        using var first = await ConnectAsync(server);
        await first.GetStream().WriteAsync(Encoding.ASCII.GetBytes(UpgradeHead(server)));
        Assert.StartsWith("HTTP/1.1 101 ", await ReadHeadAsync(first.GetStream()), StringComparison.Ordinal);

        using var second = await ConnectAsync(server);
        var stream = second.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(UpgradeHead(server)));
        var response = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", response, StringComparison.Ordinal);
        var body = "too many connections to this server\n";
        Assert.Contains($"Content-Length: {body.Length}\r\n", response, StringComparison.Ordinal);
        var received = new byte[body.Length];
        await stream.ReadExactlyAsync(received);
        Assert.Equal(body, Encoding.UTF8.GetString(received));
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_origin_the_server_refuses_is_answered_403_by_the_endpoint()
    {
        await using var server = await RunningServer.StartAsync();
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(UpgradeHead(server, "Origin: https://evil.example\r\n")));
        Assert.StartsWith("HTTP/1.1 403 ", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upgrade_head_that_never_ends_is_closed_after_the_HTTP_idle_timeout()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Limits:HttpIdleTimeout"] = "00:00:01" });
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /v1/ws HTTP/1.1\r\nHost: {Host(server)}\r\n"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Assert.Equal(0, await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (IOException)
        {
            // Aborted: a reset rather than an orderly close, as Kestrel's own header timeout does.
        }

        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.5), $"closed after {started.Elapsed}");
    }

    private static async Task<TcpClient> ConnectAsync(RunningServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
        return tcp;
    }

    private static string Host(RunningServer server) => $"{server.Address.Host}:{server.Address.Port}";

    private static string UpgradeHead(RunningServer server, string extra = "") =>
        $"GET /v1/ws HTTP/1.1\r\nHost: {Host(server)}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    /// <summary>A client's text frame (RFC 6455 section 5.2): FIN and opcode 1, masked, a short payload.</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        return [0x81, (byte)(0x80 | payload.Length), .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }

    /// <summary>Reads an HTTP response head, byte by byte so nothing after it is taken.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                throw new EndOfStreamException($"connection closed after: {head}");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task<ServerFrame> ReceiveFrameAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return ServerFrame.Parser.ParseFrom(buffer, 0, length);
            }
        }
    }
}
