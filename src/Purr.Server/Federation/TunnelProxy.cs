using Google.Protobuf;
using Purr.Client;
using Purr.Protocol.V1;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Federation;

/// <summary>One client tunnel this server carries: the link it rides and its id there.</summary>
internal sealed record ProxiedTunnel(PurrConnection Link, uint LinkId);

/// <summary>The tunnels a client connection holds open through this server, kept on the client's session.</summary>
internal sealed class ClientTunnels
{
    public Lock Gate { get; } = new();

    public Dictionary<uint, ProxiedTunnel> Open { get; } = [];

    public bool Ended { get; set; }
}

/// <summary>
/// The proxy's half of relayed connections (PROTOCOL.md 15.6): a client's TunnelOpen goes to the destination over
/// this server's link (under a link id of this server's choosing), and from then on frames are passed through as
/// they are, Noise ciphertext this server cannot read: the client's TunnelSend onto the link, the destination's
/// TunnelData pushes back to the client. This server learns which destination and how much traffic, never what.
/// </summary>
internal sealed class TunnelProxy(ProxyRoutes routes, FederationLinks links, FederationPolicy policy, PeerTrafficLimiter traffic) : ISessionObserver
{
    private int carrying;

    /// <summary>Tunnels this server carries for its clients now.</summary>
    public int Carrying => Volatile.Read(ref carrying);

    /// <summary>
    /// Opens a client's tunnel. The destination's first frames (its hello) can reach this server before its answer has
    /// gone back to the client; they wait until the answer is queued (<paramref name="context"/>'s AfterResponse), so the
    /// client always gets TunnelOpened first.
    /// </summary>
    public async Task<ServerFrame> OpenAsync(Routing.RequestContext context, TunnelOpen open, CancellationToken cancellationToken)
    {
        var client = context.Session;
        if (TunnelOpenHandler.Malformed(open) is { } malformed)
        {
            return malformed;
        }

        var tunnels = client.Features.GetOrAdd(() => new ClientTunnels());
        lock (tunnels.Gate)
        {
            if (tunnels.Open.ContainsKey(open.TunnelId))
            {
                return Responses.InvalidArgument("that tunnel_id is already open on this connection");
            }

            if (tunnels.Open.Count >= policy.Options.MaxTunnelsPerConnection)
            {
                return Responses.RateLimited(
                    "this connection holds as many tunnels as it may (Federation:MaxTunnelsPerConnection); close one first", TimeSpan.FromSeconds(5));
            }
        }

        if (!traffic.ClientTunnels.TryTake(client.RemoteAddress, out var wait))
        {
            return Responses.RateLimited("too many tunnels opened from your address this minute (Federation:TunnelsPerMinutePerIp)", wait);
        }

        var route = await routes.ResolveAsync(open.Destination, cancellationToken);
        if (route.Refusal is { } refusal)
        {
            return refusal;
        }

        if (route.ToSelf)
        {
            return Responses.InvalidArgument("the destination is this server: connect to it directly");
        }

        var link = route.Link!;
        if (link.Connection is not { } connection)
        {
            return Responses.Error(ErrorCode.RelayFailed, "the link to the destination server failed; try again");
        }

        var clientId = open.TunnelId;
        var linkId = connection.NextTunnelId();
        var held = new HeldFrames();
        connection.AttachTunnel(linkId, data =>
        {
            if (!held.TryHold(data))
            {
                Down(client, tunnels, clientId, connection, linkId, data);
            }
        });
        var answer = await links.ForwardAsync(
            link, new Request { TunnelOpen = new TunnelOpen { TunnelId = linkId, Handshake = open.Handshake } }, cancellationToken);
        if (answer.BodyCase != ServerFrame.BodyOneofCase.TunnelOpened)
        {
            connection.DetachTunnel(linkId);
            return answer.BodyCase == ServerFrame.BodyOneofCase.Error
                ? answer
                : Responses.Error(ErrorCode.RelayFailed, "the destination server answered the tunnel with something else");
        }

        bool ended;
        lock (tunnels.Gate)
        {
            ended = tunnels.Ended;
            if (!ended)
            {
                tunnels.Open[clientId] = new ProxiedTunnel(connection, linkId);
                Interlocked.Increment(ref carrying);
            }
        }

        if (ended)
        {
            CloseOnLink(connection, linkId);
            return Responses.Error(ErrorCode.RelayFailed, "the connection is closing");
        }

        context.AfterResponse(() =>
        {
            held.Release(data => Down(client, tunnels, clientId, connection, linkId, data));
            return ValueTask.CompletedTask;
        });
        return new ServerFrame { TunnelOpened = answer.TunnelOpened };
    }

    /// <summary>A tunnel's frames from the link while its TunnelOpened is on its way to the client (the link's loop never waits).</summary>
    private sealed class HeldFrames
    {
        private readonly Lock gate = new();
        private List<byte[]>? held = [];

        /// <summary>Keeps a copy while holding; false once released (the caller passes it on itself).</summary>
        public bool TryHold(ReadOnlyMemory<byte> data)
        {
            lock (gate)
            {
                held?.Add(data.ToArray());
                return held is not null;
            }
        }

        /// <summary>
        /// Passes on what was held, in order, then lets frames straight through. Under the lock, so a frame arriving
        /// meanwhile waits its turn (passing on never waits: it only queues).
        /// </summary>
        public void Release(Action<byte[]> pass)
        {
            lock (gate)
            {
                foreach (var data in held ?? [])
                {
                    pass(data);
                }

                held = null;
            }
        }
    }

    /// <summary>A frame of one of the client's tunnels, passed on as it is (empty: the client closes the tunnel).</summary>
    public async Task<ServerFrame> SendAsync(IClientSession client, TunnelSend send, CancellationToken cancellationToken)
    {
        ProxiedTunnel? tunnel = null;
        if (client.Features.Get<ClientTunnels>() is { } tunnels)
        {
            lock (tunnels.Gate)
            {
                if (tunnels.Open.TryGetValue(send.TunnelId, out tunnel) && send.Data.IsEmpty)
                {
                    Forget(tunnels, send.TunnelId);
                }
            }
        }

        if (tunnel is null)
        {
            return send.Data.IsEmpty ? Responses.Ok() : Responses.InvalidArgument("no tunnel with that id is open on this connection");
        }

        if (send.Data.IsEmpty)
        {
            tunnel.Link.DetachTunnel(tunnel.LinkId);
        }

        // Written to the link in the client's order; the destination's answer (Ok, or an error when the tunnel is gone
        // there) is not waited for, so a client's frames are not held a round trip each.
        try
        {
            var answer = await tunnel.Link.PostAsync(
                new Request { TunnelSend = new TunnelSend { TunnelId = tunnel.LinkId, Data = send.Data } }, cancellationToken);
            var clientId = send.TunnelId;
            _ = answer.ContinueWith(
                done =>
                {
                    if (!done.IsCompletedSuccessfully || done.Result.BodyCase == ServerFrame.BodyOneofCase.Error)
                    {
                        End(client, clientId, tunnel);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (PurrConnectionException)
        {
            End(client, send.TunnelId, tunnel);
            return Responses.Error(ErrorCode.RelayFailed, "the link to the destination server failed; the tunnel is closed");
        }

        return Responses.Ok();
    }

    public void SessionClosed(IClientSession session)
    {
        if (session.Features.Get<ClientTunnels>() is not { } tunnels)
        {
            return;
        }

        List<ProxiedTunnel> open;
        lock (tunnels.Gate)
        {
            tunnels.Ended = true;
            open = [.. tunnels.Open.Values];
            Interlocked.Add(ref carrying, -tunnels.Open.Count);
            tunnels.Open.Clear();
        }

        foreach (var tunnel in open)
        {
            tunnel.Link.DetachTunnel(tunnel.LinkId);
            CloseOnLink(tunnel.Link, tunnel.LinkId);
        }
    }

    /// <summary>
    /// A frame the destination pushed for one tunnel (empty: it closed, or the link went). Runs on the link's receive
    /// loop, so it never waits: a client that does not take its frames as fast as they come loses that tunnel.
    /// </summary>
    private void Down(IClientSession client, ClientTunnels tunnels, uint clientId, PurrConnection link, uint linkId, ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            bool wasOpen;
            lock (tunnels.Gate)
            {
                wasOpen = tunnels.Open.TryGetValue(clientId, out var open) && open.Link == link && open.LinkId == linkId;
                if (wasOpen)
                {
                    Forget(tunnels, clientId);
                }
            }

            link.DetachTunnel(linkId);
            if (wasOpen)
            {
                PushClose(client, clientId);
            }

            return;
        }

        if (!client.TryPush(new ServerFrame { TunnelData = new TunnelData { TunnelId = clientId, Data = ByteString.CopyFrom(data.Span) } }))
        {
            ProxiedTunnel? open;
            lock (tunnels.Gate)
            {
                if (!tunnels.Open.TryGetValue(clientId, out open) || open.Link != link || open.LinkId != linkId)
                {
                    return;
                }
            }

            End(client, clientId, open);
        }
    }

    /// <summary>Ends one tunnel from the middle: both ends are told.</summary>
    private void End(IClientSession client, uint clientId, ProxiedTunnel? tunnel)
    {
        if (tunnel is null || client.Features.Get<ClientTunnels>() is not { } tunnels)
        {
            return;
        }

        lock (tunnels.Gate)
        {
            if (!tunnels.Open.TryGetValue(clientId, out var open) || open != tunnel)
            {
                return;
            }

            Forget(tunnels, clientId);
        }

        tunnel.Link.DetachTunnel(tunnel.LinkId);
        CloseOnLink(tunnel.Link, tunnel.LinkId);
        PushClose(client, clientId);
    }

    private void Forget(ClientTunnels tunnels, uint clientId)
    {
        if (tunnels.Open.Remove(clientId))
        {
            Interlocked.Decrement(ref carrying);
        }
    }

    private static void PushClose(IClientSession client, uint clientId)
    {
        if (!client.TryPush(new ServerFrame { TunnelData = new TunnelData { TunnelId = clientId } }))
        {
            // It cannot even be told: a client that stopped reading loses its connection, as for any other push.
            client.Abort();
        }
    }

    private static void CloseOnLink(PurrConnection link, uint linkId) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await link.PostAsync(new Request { TunnelSend = new TunnelSend { TunnelId = linkId } }, CancellationToken.None);
            }
            catch (PurrConnectionException)
            {
                // The link is gone: the destination ended every tunnel on it.
            }
        });
}
