using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Purr.Protocol.Framing;

namespace Purr.Server.Transport;

/// <summary>
/// Connection middleware on every Kestrel endpoint: a connection whose first bytes are the raw framing's
/// preamble ("purr/v1\n") is a Purr session without HTTP or WebSocket (tcp:// and unix: endpoints); anything
/// else goes on to HTTP untouched. The preamble must arrive within <c>Limits:HttpIdleTimeout</c>, like HTTP
/// headers. <c>Transports:RawFraming</c> = false turns this off.
/// </summary>
internal sealed class RawFramingMiddleware(IServiceProvider services, IOptions<ConnectionLimitsOptions> limits, IOptions<TransportOptions> transports)
{
    private enum Sniff
    {
        Raw,
        Http,
        NeedMore,
    }

    /// <summary>
    /// Not async itself: an HTTP connection (WebSocket clients included) goes on to <paramref name="next"/> without this
    /// middleware's state or its sniffing timeout staying alive for the connection's lifetime.
    /// </summary>
    public Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (!transports.Value.RawFraming)
        {
            return next(connection);
        }

        var sniffing = SniffAsync(connection);
        return sniffing.IsCompletedSuccessfully ? Continue(sniffing.Result, connection, next) : ContinueAsync(sniffing, connection, next);
    }

    private async Task ContinueAsync(ValueTask<Sniff> sniffing, ConnectionContext connection, ConnectionDelegate next)
    {
        var sniff = await sniffing;
        // The finished sniff (its state machine) is not kept for the connection's lifetime.
        sniffing = default;
        await Continue(sniff, connection, next);
    }

    private Task Continue(Sniff sniff, ConnectionContext connection, ConnectionDelegate next) => sniff switch
    {
        Sniff.Http => next(connection),
        Sniff.Raw => RunRawAsync(connection),
        _ => Task.CompletedTask,
    };

    /// <summary>Reads until the first bytes say which framing this is; <see cref="Sniff.NeedMore"/> here means the connection ended or timed out.</summary>
    private async ValueTask<Sniff> SniffAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(limits.Value.HttpIdleTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("nothing sent within the idle timeout"));
                return Sniff.NeedMore;
            }

            var buffer = result.Buffer;
            switch (Classify(buffer))
            {
                case Sniff.Http:
                    // Not consumed: HTTP reads the same bytes again.
                    input.AdvanceTo(buffer.Start);
                    return Sniff.Http;
                case Sniff.Raw:
                    input.AdvanceTo(buffer.GetPosition(RawFraming.Preamble.Length));
                    return Sniff.Raw;
                default:
                    if (result.IsCompleted)
                    {
                        input.AdvanceTo(buffer.End);
                        return Sniff.NeedMore;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    private static Sniff Classify(ReadOnlySequence<byte> buffer)
    {
        var preamble = RawFraming.Preamble;
        Span<byte> start = stackalloc byte[preamble.Length];
        var length = (int)Math.Min(buffer.Length, preamble.Length);
        buffer.Slice(0, length).CopyTo(start);
        if (!preamble[..length].SequenceEqual(start[..length]))
        {
            return Sniff.Http;
        }

        return length == preamble.Length ? Sniff.Raw : Sniff.NeedMore;
    }

    private async Task RunRawAsync(ConnectionContext connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var options = limits.Value;
        if (SessionLauncher.Admit(services, address) is { } refusal)
        {
            // No HTTP status to answer with: the refusal goes as an Error frame (request_id 0), then the stream ends.
            await connection.Transport.Output.WriteAsync(RawFraming.Encode(SessionLauncher.RefusalFrame(refusal).ToByteArray()));
            await connection.Transport.Output.CompleteAsync();
            return;
        }

        try
        {
            using var channel = new PipeFrameChannel(
                connection.Transport, () => connection.Abort(), options.MaxFrameBytes, options.OutboundQueueFrames, options.SendTimeout,
                options.PingInterval, options.IdleTimeout, SessionLauncher.Logger(services));
            await SessionLauncher.RunAsync(services, channel, address);
        }
        finally
        {
            SessionLauncher.Release(services, address);
        }
    }
}
