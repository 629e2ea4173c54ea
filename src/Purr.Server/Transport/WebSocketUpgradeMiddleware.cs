using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Purr.Server.Transport;

/// <summary>
/// Connection middleware on every Kestrel endpoint, after the raw framing's: a connection whose first request is a
/// plain WebSocket upgrade to /v1/ws (<see cref="WebSocketUpgradeRequest"/>; what every Purr client opens with) is
/// upgraded here, on the connection's own pipes, and Kestrel's HTTP layer never sees it. Kestrel would keep its HTTP/1.1
/// connection, request and header objects, and the upgrade's streams, for the WebSocket's whole life: about a third of an
/// idle connection's memory, and per-connection work at every connect. Everything else (other paths, other requests,
/// TLS, a WebSocket opened after an earlier request on the same connection, an origin this server refuses) goes on to
/// Kestrel unread, and <see cref="WebSocketEndpoint"/> answers it as before. The checks are the endpoint's: the origin
/// (refused ones are left to the endpoint, which answers 403), then the connection rate and caps.
/// </summary>
internal sealed class WebSocketUpgradeMiddleware(
    IServiceProvider services, IOptions<ConnectionLimitsOptions> limits, IOptions<HostFilteringOptions> hostFiltering)
{
    private static readonly byte[] WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>With AllowedHosts set, requests go through ASP.NET Core's host filtering, so through Kestrel.</summary>
    private readonly bool hostsFiltered = hostFiltering.Value.AllowedHosts is { Count: > 0 } hosts && !hosts.Contains("*");

    /// <summary>Not async itself, like the raw framing's: an HTTP connection keeps none of this middleware's state.</summary>
    public Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (hostsFiltered || connection.Features.Get<ITlsHandshakeFeature>() is not null)
        {
            return next(connection);
        }

        var reading = ReadRequestAsync(connection);
        return reading.IsCompletedSuccessfully ? Continue(reading.Result, connection, next) : ContinueAsync(reading, connection, next);
    }

    private async Task ContinueAsync(ValueTask<Head> reading, ConnectionContext connection, ConnectionDelegate next)
    {
        var head = await reading;
        reading = default;
        await Continue(head, connection, next);
    }

    private Task Continue(Head head, ConnectionContext connection, ConnectionDelegate next) => head.Parse switch
    {
        UpgradeParse.Upgrade => UpgradeAsync(connection, head.Request!),
        UpgradeParse.NotUpgrade => next(connection),
        _ => Task.CompletedTask,
    };

    /// <summary>
    /// Reads until the request head says whether this middleware takes it, leaving it unread when not. The head must
    /// arrive within <c>Limits:HttpIdleTimeout</c>, as Kestrel requires of any request's headers;
    /// <see cref="UpgradeParse.NeedMore"/> here means the connection ended or timed out.
    /// </summary>
    private async ValueTask<Head> ReadRequestAsync(ConnectionContext connection)
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
                connection.Abort(new ConnectionAbortedException("request headers not received within the idle timeout"));
                return new Head(UpgradeParse.NeedMore, null);
            }

            var buffer = result.Buffer;
            var parse = WebSocketUpgradeRequest.TryParse(buffer, out var request, out var headLength);
            if (parse == UpgradeParse.Upgrade && !IsOriginAllowed(request!))
            {
                // The endpoint refuses it, in the words it always has.
                parse = UpgradeParse.NotUpgrade;
            }

            switch (parse)
            {
                case UpgradeParse.NotUpgrade:
                    input.AdvanceTo(buffer.Start);
                    return new Head(parse, null);
                case UpgradeParse.Upgrade:
                    // Whatever the client sent after the head is already WebSocket frames: it stays in the pipe.
                    input.AdvanceTo(buffer.GetPosition(headLength));
                    return new Head(parse, request);
                default:
                    if (result.IsCompleted)
                    {
                        // The head never ended: HTTP sees the same bytes and the end, and answers as it does.
                        input.AdvanceTo(buffer.Start);
                        return new Head(UpgradeParse.NotUpgrade, null);
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    private bool IsOriginAllowed(WebSocketUpgradeRequest request) =>
        OriginPolicy.IsAllowed(request.Origin ?? "", "http", request.Host, limits.Value.AllowedOrigins);

    private async Task UpgradeAsync(ConnectionContext connection, WebSocketUpgradeRequest request)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var output = connection.Transport.Output;
        if (SessionLauncher.Admit(services, address) is { } refusal)
        {
            await output.WriteAsync(RefusalResponse(refusal));
            await output.CompleteAsync();
            return;
        }

        try
        {
            var switching = SwitchingProtocols(request.Key);
            // A parameter lives in the state machine for the whole session: drop the parsed head (its strings are about
            // 200 bytes a connection) once the answer is made.
            request = null!;
            await output.WriteAsync(switching);
            var options = limits.Value;
            using var channel = new PipeWebSocketChannel(
                connection.Transport, () => connection.Abort(), options.MaxFrameBytes, options.OutboundQueueFrames, options.SendTimeout,
                options.PingInterval, options.IdleTimeout, SessionLauncher.Logger(services));
            await SessionLauncher.RunAsync(services, channel, address);
        }
        finally
        {
            SessionLauncher.Release(services, address);
        }
    }

    /// <summary>The 101 answer (RFC 6455 section 4.2.2); no extension and no subprotocol is agreed, as on the endpoint.</summary>
    private static byte[] SwitchingProtocols(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + WebSocketGuid.Length];
        Encoding.ASCII.GetBytes(key, input);
        WebSocketGuid.CopyTo(input[key.Length..]);
        Span<byte> hash = stackalloc byte[Sha1.HashBytes];
        Sha1.HashData(input, hash);
        var accept = Convert.ToBase64String(hash);
        return Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\n\r\n");
    }

    /// <summary>The endpoint's refusal (429 or 503, a one-line text body, Retry-After for the rate), then the connection closes.</summary>
    private static byte[] RefusalResponse(ConnectionRefusal refusal)
    {
        var body = Encoding.UTF8.GetBytes(refusal.Message + "\n");
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {refusal.HttpStatus} {ReasonPhrases.GetReasonPhrase(refusal.HttpStatus)}\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        if (refusal.Reason == "rate")
        {
            head.Append(CultureInfo.InvariantCulture, $"Retry-After: {(int)Math.Ceiling(refusal.RetryAfter.TotalSeconds)}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private readonly record struct Head(UpgradeParse Parse, WebSocketUpgradeRequest? Request);
}
