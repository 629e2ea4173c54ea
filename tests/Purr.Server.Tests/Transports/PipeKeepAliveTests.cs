using System.Buffers.Binary;
using System.Net.Sockets;
using Purr.Protocol.Framing;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The raw framing's keep-alive from the server's side (PROTOCOL.md section 2): a zero-length frame after a ping
/// interval without sending, none while the server is sending, and a client that answers each keeps its connection.
/// </summary>
public sealed class PipeKeepAliveTests
{
    [Fact]
    public async Task A_quiet_connection_gets_a_keep_alive_each_ping_interval_and_answering_keeps_it_open()
    {
        await using var server = await StartAsync();
        using var tcp = await RawConnectAsync(server);
        var stream = tcp.GetStream();

        // The hello, then nothing but keep-alives, about one a second; answering each keeps the connection past the
        // idle timeout (3 s).
        var header = new byte[RawFraming.HeaderBytes];
        await stream.ReadExactlyAsync(header);
        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(header)]);
        var started = DateTime.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(header));
            await stream.WriteAsync(RawFraming.KeepAlive);
        }

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task A_silent_client_is_still_closed_after_the_idle_timeout()
    {
        await using var server = await StartAsync();
        using var tcp = await RawConnectAsync(server);
        var stream = tcp.GetStream();
        var started = DateTime.UtcNow;
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15)) > 0)
            {
                // The hello and keep-alives, unanswered.
            }
        }
        catch (IOException)
        {
            // Dropped (reset) rather than closed: the server aborts an idle connection.
        }

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
    }

    /// <summary>A server that pings after 1 s of sending nothing and drops a connection silent for 3 s.</summary>
    private static Task<RunningServer> StartAsync() => RunningServer.StartAsync(settings: new Dictionary<string, string>
    {
        ["Limits:PingInterval"] = "00:00:01",
        ["Limits:IdleTimeout"] = "00:00:03",
    });

    /// <summary>A TCP connection to the server that has sent the raw framing's preamble.</summary>
    private static async Task<TcpClient> RawConnectAsync(RunningServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Address.Port);
        await tcp.GetStream().WriteAsync(RawFraming.Preamble.ToArray());
        return tcp;
    }
}
