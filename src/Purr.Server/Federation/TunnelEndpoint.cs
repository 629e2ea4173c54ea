using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Crypto;
using Purr.Crypto.Noise;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;
using Purr.Server.Sessions;
using Purr.Server.Transport;

namespace Purr.Server.Federation;

/// <summary>The tunnels one peer's link holds open to this server, kept on the link's session.</summary>
internal sealed class LinkTunnels
{
    public Lock Gate { get; } = new();

    public Dictionary<uint, NoiseFrameChannel> Open { get; } = [];

    /// <summary>The link ended: no tunnel may open on it any more.</summary>
    public bool Ended { get; set; }
}

/// <summary>
/// The destination's half of relayed connections (PROTOCOL.md 15.6): a TunnelOpen over a link is a Noise_NX handshake
/// with a client behind the peer, answered with this server's proof, and then an ordinary Purr session runs inside
/// the tunnel: its frames arrive as the link's TunnelSend requests and leave as TunnelData pushes on the link. The
/// session's address is a private IPv6 address drawn at random per tunnel (as MQTT connections get one), so the
/// per-address limits fall on the tunnel, never on everyone behind the same proxy.
/// </summary>
internal sealed class TunnelEndpoint(
    IServiceProvider services,
    FederationPolicy policy,
    ServerIdentity identity,
    IOptions<ConnectionLimitsOptions> limits,
    ILoggerFactory loggers) : ISessionObserver
{
    private readonly ILogger logger = loggers.CreateLogger("Purr.Server.Transport");
    private int serving;

    /// <summary>Tunnels open to this server now, over all links.</summary>
    public int Serving => Volatile.Read(ref serving);

    public ServerFrame Open(RequestContext context, TunnelOpen open)
    {
        var link = context.Session;
        if (TunnelOpenHandler.Malformed(open) is { } malformed)
        {
            return malformed;
        }

        var tunnels = link.Features.GetOrAdd(() => new LinkTunnels());
        lock (tunnels.Gate)
        {
            if (tunnels.Open.ContainsKey(open.TunnelId))
            {
                return Responses.InvalidArgument("that tunnel_id is already open on this link");
            }

            if (tunnels.Open.Count >= policy.Options.MaxTunnelsPerPeer)
            {
                return Responses.RateLimited(
                    "your server holds as many tunnels to this one as it may (Federation:MaxTunnelsPerPeer); try again later", TimeSpan.FromSeconds(5));
            }
        }

        var handshake = NoiseNx.Responder(TunnelFraming.Prologue, identity.AgreementKey);
        if (handshake.ReadFirst(open.Handshake.Span) is null
            || handshake.WriteSecond([.. identity.IdentityKey, .. identity.X25519Signature]) is not { } second)
        {
            return Responses.InvalidArgument("the handshake does not parse");
        }

        var (receive, send) = handshake.Split();
        var limit = limits.Value;
        var id = open.TunnelId;
        var channel = new NoiseFrameChannel(
            (payload, token) => link.PushAsync(new ServerFrame { TunnelData = new TunnelData { TunnelId = id, Data = ByteString.CopyFrom(payload) } }, token).AsTask(),
            receive, send, limit.MaxFrameBytes - TunnelFraming.FrameAllowance, limit.OutboundQueueFrames,
            limit.SendTimeout, limit.PingInterval, limit.IdleTimeout, logger);
        lock (tunnels.Gate)
        {
            if (tunnels.Ended)
            {
                channel.Dispose();
                return Responses.Error(ErrorCode.RelayFailed, "the link is closing");
            }

            tunnels.Open[id] = channel;
        }

        Interlocked.Increment(ref serving);
        // The session starts once TunnelOpened is queued on the link, so its hello follows the answer.
        context.AfterResponse(() =>
        {
            _ = Task.Run(() => RunAsync(tunnels, id, channel));
            return ValueTask.CompletedTask;
        });
        return new ServerFrame { TunnelOpened = new TunnelOpened { Handshake = ByteString.CopyFrom(second) } };
    }

    /// <summary>A frame of a tunnel from the link (empty: the client closed it).</summary>
    public static ServerFrame Send(IClientSession link, TunnelSend send)
    {
        NoiseFrameChannel? channel = null;
        if (link.Features.Get<LinkTunnels>() is { } tunnels)
        {
            lock (tunnels.Gate)
            {
                tunnels.Open.TryGetValue(send.TunnelId, out channel);
            }
        }

        if (channel is null)
        {
            // Closing a tunnel that has ended already is no error: both ends may close at once.
            return send.Data.IsEmpty ? Responses.Ok() : Responses.InvalidArgument("no tunnel with that id is open on this link");
        }

        channel.Deliver(send.Data.ToByteArray());
        return Responses.Ok();
    }

    public void SessionClosed(IClientSession session)
    {
        if (session.Features.Get<LinkTunnels>() is not { } tunnels)
        {
            return;
        }

        List<NoiseFrameChannel> open;
        lock (tunnels.Gate)
        {
            tunnels.Ended = true;
            open = [.. tunnels.Open.Values];
        }

        foreach (var channel in open)
        {
            channel.Abort();
        }
    }

    private async Task RunAsync(LinkTunnels tunnels, uint id, NoiseFrameChannel channel)
    {
        try
        {
            await SessionLauncher.RunAsync(services, channel, PseudoAddress(), TunnelFraming.FrameAllowance);
        }
        catch (Exception e)
        {
            Logging.ServerLog.HandlerFailed(logger, e.GetType().Name);
        }
        finally
        {
            lock (tunnels.Gate)
            {
                tunnels.Open.Remove(id);
            }

            Interlocked.Decrement(ref serving);
            channel.Dispose();
        }
    }

    private static IPAddress PseudoAddress()
    {
        var bytes = SecureRandom.Bytes(16);
        bytes[0] = 0xfd;
        return new IPAddress(bytes);
    }
}
