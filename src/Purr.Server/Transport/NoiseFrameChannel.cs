using System.Buffers;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Crypto.Noise;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// <see cref="IFrameChannel"/> for one Purr connection carried as Noise transport messages by something else: an MQTT
/// broker (the bridge hands it each payload from the connection's up topic in the broker's order) or a federation
/// link (a tunnel's TunnelSend payloads, in the link's order). It decrypts them with the Noise transport state and
/// writes frames encrypted through an <see cref="OutboundQueue"/>'s one writer (so nonces go out in order) to
/// <c>publish</c>. Keep-alives (<see cref="KeepAliveTimer"/>) and the idle timeout are as in the raw framing; an empty
/// payload ends the connection either way.
/// </summary>
internal sealed class NoiseFrameChannel : OutboundQueue, IFrameChannel, IDisposable
{
    /// <summary>Frames received and not yet handled; a client that sends more is closed (it ignores its answers).</summary>
    public const int InboundFrames = 256;

    private readonly Func<byte[], CancellationToken, Task> publish;
    private readonly NoiseCipherState receive;
    private readonly NoiseCipherState send;
    private readonly int maxFrameBytes;
    private readonly TimeSpan sendTimeout;
    private readonly TimeSpan idleTimeout;
    private readonly ILogger logger;
    private readonly Channel<byte[]> inbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(InboundFrames) { SingleReader = true });
    private readonly CancellationTokenSource aborted = new();
    private readonly CancellationTokenSource idle;
    private readonly KeepAliveTimer keepAlive;
    private int closeSent;

    public NoiseFrameChannel(
        Func<byte[], CancellationToken, Task> publish, NoiseCipherState receive, NoiseCipherState send, int maxFrameBytes, int queueFrames,
        TimeSpan sendTimeout, TimeSpan pingInterval, TimeSpan idleTimeout, ILogger logger)
        : base(queueFrames)
    {
        this.publish = publish;
        this.receive = receive;
        this.send = send;
        this.maxFrameBytes = maxFrameBytes;
        this.sendTimeout = sendTimeout;
        this.idleTimeout = idleTimeout;
        this.logger = logger;
        idle = CancellationTokenSource.CreateLinkedTokenSource(aborted.Token);
        idle.CancelAfter(idleTimeout);
        // False when the queue is full (frames are going out anyway) or closing.
        keepAlive = new KeepAliveTimer(pingInterval, () => TryWrite(KeepAliveTimer.Frame));
    }

    public CancellationToken Closed => aborted.Token;

    /// <summary>A payload from the client, in the order it sent them (the up topic, or the tunnel).</summary>
    public void Deliver(byte[] payload)
    {
        if (!inbound.Writer.TryWrite(payload))
        {
            // Full or closed: the connection is ending, or its client sends without reading the answers.
            Abort();
        }
    }

    public async ValueTask<Frame> ReadAsync()
    {
        while (true)
        {
            byte[] payload;
            try
            {
                payload = await inbound.Reader.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                ServerLog.ConnectionIdleClosed(logger);
                Abort();
                return new Frame(FrameKind.Close, null, 0);
            }
            catch (ChannelClosedException)
            {
                return new Frame(FrameKind.Close, null, 0);
            }

            if (payload.Length == 0)
            {
                // The client ended the connection; nothing more is sent to it.
                Interlocked.Exchange(ref closeSent, 1);
                return new Frame(FrameKind.Close, null, 0);
            }

            if (payload.Length > maxFrameBytes + Crypto.Aead.TagBytes)
            {
                return new Frame(FrameKind.TooLarge, null, 0);
            }

            var plaintext = receive.DecryptWithAd([], payload);
            if (plaintext is null)
            {
                // Not from this connection's client (or out of order): nothing after it could be trusted.
                Abort();
                return new Frame(FrameKind.Close, null, 0);
            }

            idle.CancelAfter(idleTimeout);
            if (plaintext.Length == 0)
            {
                continue;
            }

            var pooled = ArrayPool<byte>.Shared.Rent(plaintext.Length);
            plaintext.CopyTo(pooled, 0);
            return new Frame(FrameKind.Binary, pooled, plaintext.Length);
        }
    }

    public void Close(ErrorCode? reason) => Complete();

    /// <summary>
    /// Ends the connection without waiting. The cancellation's callbacks run on the thread pool, not here: callers
    /// abort while holding a room's state (a slow member, the broker lost), and running this session's own shutdown
    /// inline (its rooms' SessionClosed among it) re-entered that state and hung once.
    /// </summary>
    public void Abort()
    {
        Stop();
        try
        {
            _ = aborted.CancelAsync();
            inbound.Writer.TryComplete();
        }
        catch (ObjectDisposedException)
        {
            // Already cleaned up.
        }
    }

    public async Task ShutdownAsync(TimeSpan grace)
    {
        Complete();
        await Task.WhenAny(Finished, Task.Delay(grace, CancellationToken.None));
        await SendCloseAsync();
        aborted.CancelUnlessDisposed();
        inbound.Writer.TryComplete();
    }

    public void Dispose()
    {
        keepAlive.Dispose();
        idle.Dispose();
        aborted.Dispose();
    }

    protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
    {
        try
        {
            var bytes = frame.Bytes ?? frame.Frame!.ToByteArray();
            keepAlive.Sent();
            await PublishAsync(bytes.Span);
            return true;
        }
        catch (TimeoutException)
        {
            ServerLog.SlowConsumerClosed(logger);
            Abort();
            return false;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException
            or MQTTnet.Exceptions.MqttCommunicationException)
        {
            aborted.CancelUnlessDisposed();
            return false;
        }
    }

    /// <summary>Nothing to do here: <see cref="ShutdownAsync"/> sends the close once what was queued went out.</summary>
    protected override ValueTask FinishAsync() => ValueTask.CompletedTask;

    private Task PublishAsync(ReadOnlySpan<byte> plaintext) =>
        publish(send.EncryptWithAd([], plaintext), aborted.Token).WaitAsync(sendTimeout, aborted.Token);

    /// <summary>The empty payload that tells the client the connection ended (once, and not to a client that ended it).</summary>
    private async Task SendCloseAsync()
    {
        if (Interlocked.Exchange(ref closeSent, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await publish([], timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException
            or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The broker (or the link) is gone; the client notices without us.
        }
    }
}
