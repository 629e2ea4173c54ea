using System.Buffers;
using System.Threading.Channels;
using Purr.Crypto.Noise;
using Purr.Protocol.Framing;

namespace Purr.Client.Transport;

/// <summary>The receiving side the Noise-carried transports share (MQTT, relayed connections): payloads in order, decrypted.</summary>
internal static class NoiseReceiving
{
    /// <summary>
    /// The next frame: a Close frame for an empty payload (the server's close) or one that does not decrypt (it did not
    /// come from the server, or came out of order, and nothing after it could be trusted; <paramref name="closed"/> runs
    /// first). An empty plaintext is a keep-alive: answered (the server closes a connection that answers nothing for its
    /// idle timeout), not returned.
    /// </summary>
    public static async ValueTask<Frame> NextAsync(
        ChannelReader<byte[]> inbound, NoiseCipherState receive, int maxFrameBytes, Func<CancellationToken, ValueTask> answerKeepAlive,
        Action closed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await inbound.WaitToReadAsync(cancellationToken) && inbound.TryRead(out var payload) && payload.Length != 0
                ? receive.DecryptWithAd([], payload)
                : null;
            if (frame is null)
            {
                closed();
                return new Frame(FrameKind.Close, null, 0);
            }

            if (frame.Length == 0)
            {
                await answerKeepAlive(cancellationToken);
                continue;
            }

            if (frame.Length > maxFrameBytes)
            {
                return new Frame(FrameKind.TooLarge, null, 0);
            }

            var pooled = ArrayPool<byte>.Shared.Rent(frame.Length);
            frame.CopyTo(pooled, 0);
            return new Frame(FrameKind.Binary, pooled, frame.Length);
        }
    }
}
