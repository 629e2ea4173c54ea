using System.Net.WebSockets;
using Google.Protobuf;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;

namespace Purr.Client;

public sealed partial class PurrConnection
{
    private async Task ReceiveLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (await ReceiveFrameAsync(closing.Token) is { } frame)
            {
                if (frame.RequestId != 0)
                {
                    // An answer. One to a request the caller gave up on (cancelled, timed out) is dropped: it is
                    // nobody's event, and left in the shared queue it would pile up.
                    if (pending.TryGetValue(frame.RequestId, out var completion))
                    {
                        completion.TrySetResult(frame);
                    }

                    continue;
                }

                if (frame.BodyCase == ServerFrame.BodyOneofCase.TunnelData)
                {
                    DeliverTunnel(frame.TunnelData);
                    continue;
                }

                if (frame.BodyCase == ServerFrame.BodyOneofCase.SubscriptionEnded)
                {
                    subscribed.TryRemove(Convert.ToHexStringLower(frame.SubscriptionEnded.ReceiveId.Span), out _);
                }

                var pushed = frame.BodyCase == ServerFrame.BodyOneofCase.Broadcast
                    ? ServerBroadcastCheck.Open(frame.Broadcast, Address.IdentityKey, DateTimeOffset.UtcNow)
                    : ToEvent(frame);
                if (pushed is not null)
                {
                    await RouteAsync(pushed, closing.Token);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidProtocolBufferException
            or IOException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException
            or System.Net.Sockets.SocketException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            failure = e;
        }
        finally
        {
            events.Writer.TryComplete();
            CompleteListeners();
            EndTunnels();
            var closed = new PurrConnectionException("the connection to the Purr server closed", failure);
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(closed);
            }
        }
    }

    private static PurrEvent? ToEvent(ServerFrame frame) => frame.BodyCase switch
    {
        ServerFrame.BodyOneofCase.MessageEvent => new MessageReceived(
            frame.MessageEvent.ReceiveId.ToByteArray(),
            frame.MessageEvent.Message.MessageId.ToByteArray(),
            frame.MessageEvent.Message.Payload.ToByteArray(),
            DateTimeOffset.FromUnixTimeSeconds(frame.MessageEvent.Message.ReceivedAt),
            frame.MessageEvent.Live),
        ServerFrame.BodyOneofCase.SubscriptionEnded => new SubscriptionEnded(frame.SubscriptionEnded.ReceiveId.ToByteArray()),
        ServerFrame.BodyOneofCase.Error => new ServerError(frame.Error.Code, frame.Error.Detail),
        ServerFrame.BodyOneofCase.RoomEvent => new RoomEventReceived(frame.RoomEvent),
        _ => null,
    };

    /// <summary>
    /// One whole binary message as a ServerFrame (the framing shared with the server), or null when the server
    /// closed the connection. A text message or one beyond <see cref="MaxServerFrameBytes"/> is a broken server:
    /// the connection ends.
    /// </summary>
    private async Task<ServerFrame?> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        using var frame = await transport.ReceiveAsync(cancellationToken);
        return frame.Kind switch
        {
            FrameKind.Binary => ServerFrame.Parser.ParseFrom(frame.Payload.Span),
            FrameKind.Close => null,
            _ => throw new IOException("the server sent a text frame or one beyond the client's frame limit"),
        };
    }
}
