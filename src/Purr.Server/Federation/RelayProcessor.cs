using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Purr.Crypto;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Federation;

/// <summary>
/// The destination's half of a relayed request: opens the packet, refuses what is stale or replayed, runs the one
/// request inside through the ordinary handlers (signatures over the packet's ephemeral key), and seals the answer.
/// Only requests that need no live connection may come this way.
/// </summary>
internal sealed class RelayProcessor(
    ServerIdentity identity, IReplayGuard replays, FederationCounters counters, IServiceProvider services, TimeProvider time, ILogger<RelayProcessor> logger)
{
    /// <summary>How old a packet's sent_at may be, and how far ahead (clocks differ).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(1);

    private static readonly HashSet<Request.OpOneofCase> Relayable =
    [
        Request.OpOneofCase.Ping,
        Request.OpOneofCase.SendMessage,
        Request.OpOneofCase.JoinRoom,
        Request.OpOneofCase.RoomSend,
        Request.OpOneofCase.RoomLeave,
        Request.OpOneofCase.RoomMembers,
    ];

    private RequestDispatcher? dispatcher;

    /// <summary>The sealed answer, or an error frame (PACKET_REFUSED, RATE_LIMITED) for the link when the packet itself is refused.</summary>
    public async Task<ServerFrame> ProcessAsync(ReadOnlyMemory<byte> packet, IPAddress linkAddress, CancellationToken cancellationToken)
    {
        var answer = await OpenAndAnswerAsync(packet, linkAddress, cancellationToken);
        counters.Packet(answered: answer.BodyCase == ServerFrame.BodyOneofCase.RelayResult);
        return answer;
    }

    private async Task<ServerFrame> OpenAndAnswerAsync(ReadOnlyMemory<byte> packet, IPAddress linkAddress, CancellationToken cancellationToken)
    {
        var opened = RelayPacket.Open(identity.AgreementKey, packet.Span);
        RelayedRequest? relayed = null;
        try
        {
            relayed = opened is null ? null : RelayedRequest.Parser.ParseFrom(opened.Message);
        }
        catch (InvalidProtocolBufferException)
        {
        }

        if (opened is null || relayed is null)
        {
            return Responses.Error(ErrorCode.PacketRefused, "the packet does not open");
        }

        var now = time.GetUtcNow();
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(relayed.SentAt, -62_135_596_800, 253_402_300_799));
        if (sentAt < now - MaxAge || sentAt > now + MaxAhead)
        {
            return Responses.Error(ErrorCode.PacketRefused, "the packet is too old or too far ahead");
        }

        ReplayVerdict verdict;
        try
        {
            verdict = await replays.CheckAsync("relay", opened.Reply.EphemeralKey, cancellationToken);
        }
        catch (Core.StoreUnavailableException)
        {
            return Responses.Unavailable("this server cannot check packets for replays just now; try again shortly", Sessions.StoreUnavailable.RetryAfter);
        }

        switch (verdict)
        {
            case ReplayVerdict.Replayed:
                return Responses.Error(ErrorCode.PacketRefused, "the packet was seen before");
            case ReplayVerdict.Full:
                return Responses.RateLimited("this server's replay cache is full; try again later", TimeSpan.FromSeconds(10));
        }

        var answer = await AnswerAsync(relayed, opened.Reply.EphemeralKey, linkAddress, cancellationToken);
        var bytes = answer.ToByteArray();
        if (bytes.Length > RelayPacket.MaxResponseMessageBytes)
        {
            answer = Responses.Error(ErrorCode.MessageTooLarge, "the answer does not fit in a relay packet; ask directly");
            answer.RequestId = RequestId(relayed);
            bytes = answer.ToByteArray();
        }

        return new ServerFrame { RelayResult = new RelayResult { Packet = ByteString.CopyFrom(RelayPacket.SealResponse(opened.Reply, bytes, SystemRandomSource.Instance)) } };
    }

    private async Task<ServerFrame> AnswerAsync(RelayedRequest relayed, byte[] ephemeralKey, IPAddress linkAddress, CancellationToken cancellationToken)
    {
        Request request;
        try
        {
            request = Request.Parser.ParseFrom(relayed.Request);
        }
        catch (InvalidProtocolBufferException)
        {
            return Responses.Error(ErrorCode.MalformedFrame, "the relayed request is not a valid Request");
        }

        var response = await HandleAsync(request, relayed, ephemeralKey, linkAddress, cancellationToken);
        response.RequestId = request.Id;
        return response;
    }

    private async Task<ServerFrame> HandleAsync(
        Request request, RelayedRequest relayed, byte[] ephemeralKey, IPAddress linkAddress, CancellationToken cancellationToken)
    {
        dispatcher ??= services.GetRequiredService<RequestDispatcher>();
        if (!Relayable.Contains(request.OpCase) || !dispatcher.TryGet(request.OpCase, out var handler))
        {
            return Responses.Error(ErrorCode.UnknownRequest, "this request cannot come through a relay");
        }

        var session = new RelayedSession(ephemeralKey, linkAddress);
        var context = new RequestContext(request, relayed.Request, relayed.Signature, session, relayed.MailboxSignature);
        try
        {
            var response = await handler.HandleAsync(context, cancellationToken);
            await context.RunAfterResponseAsync();
            return response;
        }
        catch (Exception e) when (StoreUnavailable.Is(e))
        {
            return Responses.Unavailable("the server's storage is unreachable; nothing was changed", StoreUnavailable.RetryAfter);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            FederationLog.RelayedRequestFailed(logger, e.GetType().Name);
            return Responses.Error(ErrorCode.Internal, "the server failed to handle the request");
        }
        finally
        {
            foreach (var observer in services.GetServices<ISessionObserver>())
            {
                observer.SessionClosed(session);
            }
        }
    }

    private static ulong RequestId(RelayedRequest relayed)
    {
        try
        {
            return Request.Parser.ParseFrom(relayed.Request).Id;
        }
        catch (InvalidProtocolBufferException)
        {
            return 0;
        }
    }
}
