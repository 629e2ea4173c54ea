using System.Net;
using Google.Protobuf;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// One hop of an onion route (PROTOCOL.md section 15.5): removes this server's layer, refuses what is tampered, stale
/// or replayed, and either sends the inner packet to the next server over its link or, as the last hop, acts as the
/// client's proxy (RelayKeys, ProxyForward, Ping). Whatever happens, the answer goes back as an onion answer of one
/// size, sealed by this hop when it is this hop's own (an error, or the exit's answer), so that the hops before it
/// cannot tell an answer from an error, nor which hop failed.
/// </summary>
internal sealed class OnionRouter(
    ProxyRoutes routes, FederationLinks links, ProxyService proxy, PeerTrafficLimiter traffic,
    Identity.ServerIdentity identity, FederationCounters counters, OnionCapture capture, IReplayGuard replays, TimeProvider time)
{
    /// <summary>
    /// The answer for the previous hop (or the client): OnionResult, or a plain PACKET_REFUSED when no layer of this
    /// hop opens (then there is no key to seal an answer with).
    /// </summary>
    public async Task<ServerFrame> ProcessAsync(ReadOnlyMemory<byte> packet, PeerLinkState? from, IPAddress remote, CancellationToken cancellationToken)
    {
        var peeled = packet.Length == OnionPacket.PacketBytes ? OnionPacket.Peel(identity.AgreementKey, packet.Span) : null;
        if (peeled is null)
        {
            counters.Onion(OnionOutcome.Refused);
            return Responses.Error(ErrorCode.PacketRefused, $"onion packets are exactly {OnionPacket.PacketBytes} bytes, version 1, with a layer for this server");
        }

        var own = await RefusalAsync(peeled, cancellationToken);
        if (own is not null)
        {
            counters.Onion(OnionOutcome.Refused);
            return Seal(peeled, own);
        }

        if (peeled.Instruction == OnionInstruction.Exit)
        {
            counters.Onion(OnionOutcome.Exited);
            return Seal(peeled, await ExitAsync(peeled.Inner, from, remote, cancellationToken));
        }

        var route = await routes.ResolveAsync(peeled.NextAddress, cancellationToken);
        if (route.Refusal is { } refusal)
        {
            counters.Onion(OnionOutcome.Refused);
            return Seal(peeled, refusal);
        }

        if (route.ToSelf)
        {
            counters.Onion(OnionOutcome.Refused);
            return Seal(peeled, Responses.Error(ErrorCode.PacketRefused, "the route names this server as its own next hop"));
        }

        var link = route.Link!;
        if (!traffic.TryTakeOutbound(link.Fingerprint, out var retryAfter))
        {
            counters.Onion(OnionOutcome.Refused);
            return Seal(peeled, Responses.RateLimited("this server forwards no more to the next server this minute (Federation:BytesPerMinutePerPeer)", retryAfter));
        }

        capture.Add(from?.Fingerprint, $"forward to {link.Fingerprint}");
        var answer = await links.ForwardAsync(link, new Request { OnionForward = new OnionForward { Packet = ByteString.CopyFrom(peeled.Inner) } }, cancellationToken);
        if (answer.BodyCase == ServerFrame.BodyOneofCase.OnionResult && answer.OnionResult.Reply.Length == OnionPacket.ReplyBytes)
        {
            counters.Onion(OnionOutcome.Forwarded);
            var reply = answer.OnionResult.Reply.ToByteArray();
            OnionPacket.WrapReply(peeled.Keys, reply);
            return new ServerFrame { OnionResult = new OnionResult { Reply = ByteString.CopyFrom(reply) } };
        }

        // The next server refused the packet outright, or could not be reached: this hop says so, sealed, for the client only.
        counters.Onion(OnionOutcome.Refused);
        var failure = answer.Error ?? new Error { Code = ErrorCode.RelayFailed, Detail = "the next server gave no onion answer" };
        var code = failure.Code is ErrorCode.RateLimited or ErrorCode.PeerRefused or ErrorCode.RelayFailed ? failure.Code : ErrorCode.RelayFailed;
        var error = Responses.Error(code, $"the next server on the route: {failure.Detail}");
        error.Error.RetryAfterMs = failure.RetryAfterMs;
        return Seal(peeled, error);
    }

    /// <summary>This hop's own reasons to refuse the layer, in the order PROTOCOL.md gives them.</summary>
    private async Task<ServerFrame?> RefusalAsync(PeeledOnion peeled, CancellationToken cancellationToken)
    {
        if (!peeled.MacValid)
        {
            return Responses.Error(ErrorCode.PacketRefused, "the layer was changed on the way (its MAC does not verify)");
        }

        if (peeled.Instruction is not (OnionInstruction.Forward or OnionInstruction.Exit))
        {
            return Responses.Error(ErrorCode.PacketRefused, "the layer's instruction or address is malformed");
        }

        var now = time.GetUtcNow();
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(peeled.SentAt, -62_135_596_800, 253_402_300_799));
        if (sentAt < now - RelayProcessor.MaxAge || sentAt > now + RelayProcessor.MaxAhead)
        {
            return Responses.Error(ErrorCode.PacketRefused, "the packet is too old or too far ahead");
        }

        ReplayVerdict verdict;
        try
        {
            verdict = await replays.CheckAsync("onion", peeled.ReplayTag, cancellationToken);
        }
        catch (Core.StoreUnavailableException)
        {
            return Responses.Unavailable("this server cannot check packets for replays just now; try again shortly", Sessions.StoreUnavailable.RetryAfter);
        }

        return verdict switch
        {
            ReplayVerdict.Replayed => Responses.Error(ErrorCode.PacketRefused, "the packet was seen before"),
            ReplayVerdict.Full => Responses.RateLimited("this server's replay cache is full; try again later", TimeSpan.FromSeconds(10)),
            _ => null,
        };
    }

    /// <summary>The last hop acts as the client's proxy for the one request in the payload.</summary>
    private async Task<ServerFrame> ExitAsync(byte[] message, PeerLinkState? from, IPAddress remote, CancellationToken cancellationToken)
    {
        Request request;
        try
        {
            request = Request.Parser.ParseFrom(message);
        }
        catch (InvalidProtocolBufferException)
        {
            return Responses.Error(ErrorCode.MalformedFrame, "the route's payload is not a valid Request");
        }

        var answer = request.OpCase switch
        {
            Request.OpOneofCase.RelayKeys => await KeysAsync(request.RelayKeys.Destination, from, cancellationToken),
            Request.OpOneofCase.ProxyForward => await ForwardAsync(request.ProxyForward, from, remote, cancellationToken),
            Request.OpOneofCase.Ping => new ServerFrame { Pong = new Pong() },
            _ => Responses.Error(ErrorCode.UnknownRequest, "the last hop of a route takes only RelayKeys, ProxyForward and Ping"),
        };
        answer.RequestId = request.Id;
        return answer;
    }

    private Task<ServerFrame> KeysAsync(string destination, PeerLinkState? from, CancellationToken cancellationToken)
    {
        capture.Add(from?.Fingerprint, $"keys of {Fingerprint(destination)}");
        return proxy.KeysAsync(destination, cancellationToken);
    }

    private Task<ServerFrame> ForwardAsync(ProxyForward forward, PeerLinkState? from, IPAddress remote, CancellationToken cancellationToken)
    {
        capture.Add(from?.Fingerprint, $"exit to {Fingerprint(forward.Destination)}");
        return proxy.ForwardAsync(forward, remote, cancellationToken);
    }

    private static string Fingerprint(string address) => PurrAddress.TryParse(address, out var parsed, out _) ? parsed.Fingerprint : "an invalid address";

    private static ServerFrame Seal(PeeledOnion peeled, ServerFrame answer)
    {
        var bytes = answer.ToByteArray();
        if (bytes.Length > OnionPacket.MaxReplyMessageBytes)
        {
            var tooLarge = Responses.Error(ErrorCode.MessageTooLarge, "the answer does not fit in an onion answer");
            tooLarge.RequestId = answer.RequestId;
            bytes = tooLarge.ToByteArray();
        }

        return new ServerFrame { OnionResult = new OnionResult { Reply = ByteString.CopyFrom(OnionPacket.SealReply(peeled.Keys, bytes)) } };
    }
}
