using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Purr.Protocol.Framing;
using Purr.Server.Transport;

namespace Purr.Fuzz;

/// <summary>
/// The bytes a client sends before and after a WebSocket upgrade that purrd handles below HTTP: the request head
/// (WebSocketUpgradeRequest) and then, after a head it takes (or from the first byte when it takes none), the
/// server's own RFC 6455 frame reader (PipeWebSocketChannel) read to its end. Neither may throw.
/// </summary>
internal static class WebSocketTarget
{
    private static readonly PipeOptions Unpaused = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0);

    public static void Run(byte[] input)
    {
        var parse = WebSocketUpgradeRequest.TryParse(new ReadOnlySequence<byte>(input), out _, out var headLength);
        var frames = parse == UpgradeParse.Upgrade ? input[(int)headLength..] : input;

        var fromClient = new Pipe(Unpaused);
        var toClient = new Pipe(Unpaused);
        fromClient.Writer.WriteAsync(frames).AsTask().GetAwaiter().GetResult();
        fromClient.Writer.Complete();
        using var channel = new PipeWebSocketChannel(
            new DuplexPipe(fromClient.Reader, toClient.Writer), () => { }, maxFrameBytes: 64 * 1024, queueFrames: 64,
            sendTimeout: TimeSpan.FromSeconds(5), pingInterval: TimeSpan.FromMinutes(5), idleTimeout: TimeSpan.FromMinutes(5), NullLogger.Instance);
        while (true)
        {
            using var frame = channel.ReadAsync().AsTask().GetAwaiter().GetResult();
            if (frame.Kind != FrameKind.Binary)
            {
                break;
            }
        }

        channel.Abort();
    }

    /// <summary>A client's frame (masked) for the seed corpus.</summary>
    public static byte[] ClientFrame(int opcode, byte[] payload, bool fin)
    {
        byte[] mask = [0x0F, 0x1E, 0x2D, 0x3C];
        byte[] header = payload.Length <= 125
            ? [(byte)((fin ? 0x80 : 0) | opcode), (byte)(0x80 | payload.Length)]
            : [(byte)((fin ? 0x80 : 0) | opcode), 0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        return [.. header, .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
