using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The server's own WebSocket framing (RFC 6455 section 5) on connections upgraded below HTTP (PipeWebSocketChannel),
/// from a bare TCP client that writes frames by hand: fragments with a ping between them, protocol violations (close
/// 1002), a message over the frame limit (1009), and the keep-alive (pings, and the idle timeout for a client that
/// answers none). Every other test's client talks to the same framing through .NET's or Chromium's WebSocket.
/// </summary>
public sealed class PipeWebSocketTests
{
    private const int Ping = 0x9;
    private const int Pong = 0xA;
    private const int Close = 0x8;
    private const int Binary = 0x2;

    [Fact]
    public async Task A_message_in_fragments_with_a_ping_between_them_is_reassembled_and_the_ping_answered()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await RawWebSocket.ConnectAsync(server);
        var (opcode, hello) = await client.ReadAsync();
        Assert.Equal(Binary, opcode);
        Assert.NotNull(ServerFrame.Parser.ParseFrom(hello).ServerHello);

        var request = new ClientFrame { Request = new Request { Id = 7, Ping = new Ping() }.ToByteString() }.ToByteArray();
        await client.WriteAsync(Binary, request[..2], fin: false);
        await client.WriteAsync(Ping, "are you there"u8.ToArray());
        await client.WriteAsync(0x0, request[2..4], fin: false);
        await client.WriteAsync(0x0, request[4..]);

        var (pongCode, pong) = await client.ReadAsync();
        Assert.Equal(Pong, pongCode);
        Assert.Equal("are you there", Encoding.ASCII.GetString(pong));
        var (answerCode, answer) = await client.ReadAsync();
        Assert.Equal(Binary, answerCode);
        Assert.Equal(7ul, ServerFrame.Parser.ParseFrom(answer).RequestId);
    }

    public static TheoryData<string, byte[]> Violations => new()
    {
        { "unmasked", [0x82, 0x01, 0x00] },
        { "a reserved bit", [0xC2, 0x81, 1, 2, 3, 4, 0x00] },
        { "a reserved opcode", [0x83, 0x81, 1, 2, 3, 4, 0x00] },
        { "a continuation with no message begun", [0x80, 0x81, 1, 2, 3, 4, 0x00] },
        { "a new message inside a fragmented one", [0x02, 0x81, 1, 2, 3, 4, 0x00, 0x82, 0x81, 1, 2, 3, 4, 0x00] },
        { "a fragmented ping", [0x09, 0x80, 1, 2, 3, 4] },
        { "a ping over 125 bytes", [0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4, .. new byte[126]] },
        { "a ping's 64-bit length with its top bit set", [0x89, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4] },
        { "a message's 64-bit length with its top bit set", [0x82, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_frame_that_breaks_RFC_6455_closes_the_connection_with_1002(string what, byte[] frame)
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await RawWebSocket.ConnectAsync(server);
        await client.ReadAsync();
        await client.Stream.WriteAsync(frame);
        var (opcode, payload) = await client.ReadAsync();
        Assert.True(opcode == Close, what);
        Assert.Equal(1002, BinaryPrimitives.ReadUInt16BigEndian(payload));
    }

    [Fact]
    public async Task A_message_over_the_frame_limit_is_refused_before_it_arrives_with_1009()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxFrameBytes"] = "4096",
            ["Mailboxes:MaxMessageBytes"] = "1024",
        });
        await using var client = await RawWebSocket.ConnectAsync(server);
        await client.ReadAsync();
        // Two fragments that together pass the limit; the second's header alone says so.
        await client.WriteAsync(Binary, new byte[3000], fin: false);
        await client.Stream.WriteAsync((byte[])[0x80, 0xFE, 0x07, 0xD0, 1, 2, 3, 4]);

        var (errorCode, error) = await client.ReadAsync();
        Assert.Equal(Binary, errorCode);
        Assert.Equal(ErrorCode.FrameTooLarge, ServerFrame.Parser.ParseFrom(error).Error.Code);
        var (opcode, payload) = await client.ReadAsync();
        Assert.Equal(Close, opcode);
        Assert.Equal(1009, BinaryPrimitives.ReadUInt16BigEndian(payload));
    }

    [Fact]
    public async Task A_quiet_connection_is_pinged_and_one_that_never_answers_is_dropped_after_the_idle_timeout()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:PingInterval"] = "00:00:01",
            ["Limits:IdleTimeout"] = "00:00:03",
        });

        // Answering each ping keeps a connection past the idle timeout.
        await using var answering = await RawWebSocket.ConnectAsync(server);
        await answering.ReadAsync();
        var started = DateTime.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            var (opcode, payload) = await answering.ReadAsync();
            Assert.Equal(Ping, opcode);
            await answering.WriteAsync(Pong, payload);
        }

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(12));

        // Answering none: dropped after about 3 s.
        await using var silent = await RawWebSocket.ConnectAsync(server);
        started = DateTime.UtcNow;
        try
        {
            while (true)
            {
                var (opcode, _) = await silent.ReadAsync(TimeSpan.FromSeconds(15));
                Assert.Contains(opcode, new[] { Binary, Ping });
            }
        }
        catch (EndOfStreamException)
        {
        }
        catch (IOException)
        {
            // Dropped (reset) rather than closed: the server aborts an idle connection.
        }

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
    }

    /// <summary>A WebSocket client written by hand on a TCP socket: masked frames out, the server's frames read as they are.</summary>
    private sealed class RawWebSocket(TcpClient tcp) : IAsyncDisposable
    {
        public NetworkStream Stream { get; } = tcp.GetStream();

        public static async Task<RawWebSocket> ConnectAsync(RunningServer server)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
            var client = new RawWebSocket(tcp);
            await client.Stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET /v1/ws HTTP/1.1\r\nHost: {server.Address.Host}:{server.Address.Port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                await client.Stream.ReadExactlyAsync(one);
                head.Append((char)one[0]);
            }

            Assert.StartsWith("HTTP/1.1 101 ", head.ToString(), StringComparison.Ordinal);
            return client;
        }

        public async Task WriteAsync(int opcode, byte[] payload, bool fin = true)
        {
            byte[] mask = [0x37, 0xFA, 0x21, 0x3D];
            var header = payload.Length <= 125
                ? new byte[] { (byte)((fin ? 0x80 : 0) | opcode), (byte)(0x80 | payload.Length) }
                : [(byte)((fin ? 0x80 : 0) | opcode), 0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length];
            await Stream.WriteAsync((byte[])[.. header, .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))]);
        }

        public async Task<(int Opcode, byte[] Payload)> ReadAsync(TimeSpan? timeout = null)
        {
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
            var header = new byte[2];
            await Stream.ReadExactlyAsync(header, cancel.Token);
            Assert.Equal(0x80, header[0] & 0xF0);
            Assert.Equal(0, header[1] & 0x80);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var extended = new byte[2];
                await Stream.ReadExactlyAsync(extended, cancel.Token);
                length = BinaryPrimitives.ReadUInt16BigEndian(extended);
            }
            else if (length == 127)
            {
                var extended = new byte[8];
                await Stream.ReadExactlyAsync(extended, cancel.Token);
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
            }

            var payload = new byte[length];
            await Stream.ReadExactlyAsync(payload, cancel.Token);
            return (header[0] & 0x0F, payload);
        }

        public ValueTask DisposeAsync()
        {
            tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
