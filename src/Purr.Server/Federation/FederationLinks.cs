using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>Why a link to a peer could not be had, and when the next try will be.</summary>
internal sealed class RelayFailure(string reason, TimeSpan retryAfter, bool refusedByPeer = false) : Exception(reason)
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>The peer's policy refused the link (PEER_REFUSED), rather than the peer being unreachable or someone else.</summary>
    public bool RefusedByPeer { get; } = refusedByPeer;
}

/// <summary>This server's link to one peer: a Purr connection on which it proved its own key, with the peer's X25519 key.</summary>
internal sealed class PeerLink(PurrAddress address)
{
    public PurrAddress Address { get; } = address;

    /// <summary>What to dial: the address, or (mode open) its WebSocket endpoint at the host address the policy checked.</summary>
    public PurrAddress ConnectTo { get; set; } = address;

    public string Fingerprint { get; } = address.Fingerprint;

    public PurrConnection? Connection { get; set; }

    public ServerKeys? Keys { get; set; }

    public Task? Connecting { get; set; }

    public DateTimeOffset NextAttempt { get; set; }

    public TimeSpan Delay { get; set; }

    public string LastFailure { get; set; } = "";

    public bool LastRefusedByPeer { get; set; }

    public int InFlight;

    public bool IsUp => Connection is { IsOpen: true };
}

/// <summary>
/// The outgoing federation links: at most one per peer, opened when a forward first needs it (a Purr connection to the
/// peer's address, whose key the hello checks, then PeerHello), used by every forward to that peer at once, and opened
/// again after it drops, no sooner than its back-off (Federation:ReconnectDelay, doubling up to a minute) allows.
/// </summary>
internal sealed class FederationLinks(
    FederationPolicy policy, ServerIdentity identity, FederationCounters counters, TimeProvider time, ILogger<FederationLinks> logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
    private readonly Lock gate = new();
    private readonly Dictionary<string, PeerLink> links = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Links up now.</summary>
    public int Up
    {
        get
        {
            lock (gate)
            {
                return links.Values.Count(l => l.IsUp);
            }
        }
    }

    /// <summary>The identity keys (fingerprints) of the peers with a link up now: the servers this one sends to.</summary>
    public IReadOnlyList<string> UpFingerprints()
    {
        lock (gate)
        {
            return [.. links.Values.Where(l => l.IsUp).Select(l => l.Fingerprint).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The link to the peer with this key when it is up now (its host was checked when it connected), else null.</summary>
    public PeerLink? UpOrNull(string fingerprint)
    {
        lock (gate)
        {
            return links.TryGetValue(fingerprint, out var link) && link.IsUp ? link : null;
        }
    }

    /// <summary>The link to <paramref name="peer"/>, connected (dialling <paramref name="connectTo"/>); throws <see cref="RelayFailure"/>.</summary>
    public async Task<PeerLink> GetAsync(PurrAddress peer, PurrAddress connectTo, CancellationToken cancellationToken)
    {
        Task connecting;
        PeerLink? link;
        lock (gate)
        {
            if (!links.TryGetValue(peer.Fingerprint, out link))
            {
                if (links.Count >= policy.Options.MaxLinks)
                {
                    foreach (var idle in links.Values.Where(l => !l.IsUp && l.Connecting is null && l.NextAttempt <= time.GetUtcNow()).ToList())
                    {
                        links.Remove(idle.Fingerprint);
                    }
                }

                if (links.Count >= policy.Options.MaxLinks)
                {
                    throw new RelayFailure("this server holds as many federation links as it may (Federation:MaxLinks)", TimeSpan.FromSeconds(30));
                }

                links[peer.Fingerprint] = link = new PeerLink(peer);
            }

            if (link.IsUp)
            {
                return link;
            }

            if (link.Connecting is null)
            {
                // The back-off holds for the endpoint that failed. Another endpoint for the same key is tried at once:
                // otherwise anyone could keep a server unreachable through this one by naming its key at a dead host.
                var now = time.GetUtcNow();
                if (now < link.NextAttempt && SameEndpoint(link.ConnectTo, connectTo))
                {
                    throw new RelayFailure(link.LastFailure, link.NextAttempt - now, link.LastRefusedByPeer);
                }

                link.ConnectTo = connectTo;
                link.Connecting = ConnectAsync(link);
            }

            connecting = link.Connecting;
        }

        await connecting.WaitAsync(cancellationToken);
        return link;
    }

    private static bool SameEndpoint(PurrAddress a, PurrAddress b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port && a.Transports.SequenceEqual(b.Transports);

    /// <summary>Sends a link request (RelayForward, OnionForward) over the link and returns the peer's answer, or the error to hand back.</summary>
    public async Task<ServerFrame> ForwardAsync(PeerLink link, Request request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref link.InFlight) > policy.Options.MaxInFlightPerPeer)
        {
            Interlocked.Decrement(ref link.InFlight);
            return Responses.RateLimited("too many forwards are waiting on that server's link; try again shortly", TimeSpan.FromSeconds(1));
        }

        try
        {
            var connection = link.Connection ?? throw new PurrConnectionException("the link is down");
            var answer = await connection.RequestAsync(request, signer: null, cancellationToken);
            counters.Forward(answered: true);
            return answer;
        }
        catch (PurrProtocolException e) when (e.Code is not ErrorCode.PeerRefused)
        {
            counters.Forward(answered: false);
            // The destination's own refusal of the packet (PACKET_REFUSED, RATE_LIMITED, …) goes back as it came.
            return new ServerFrame { Error = new Error { Code = e.Code, Detail = e.Detail, RetryAfterMs = (uint)e.RetryAfter.TotalMilliseconds } };
        }
        catch (Exception e) when (e is PurrProtocolException or PurrConnectionException)
        {
            counters.Forward(answered: false);
            return Responses.Error(ErrorCode.RelayFailed, "the link to the destination server failed; try again");
        }
        finally
        {
            Interlocked.Decrement(ref link.InFlight);
        }
    }

    private async Task ConnectAsync(PeerLink link)
    {
        await Task.Yield();
        PurrConnection? connection = null;
        try
        {
            connection = await PurrConnection.ConnectAsync(
                link.ConnectTo,
                new PurrConnectionOptions { ConnectTimeout = policy.Options.ConnectTimeout, RequestTimeout = policy.Options.ForwardTimeout, EventQueueCapacity = 16 },
                stopping.Token);
            var keys = await ProveAsync(connection, link.Address);
            _ = DrainEventsAsync(connection);
            lock (gate)
            {
                link.Connection = connection;
                link.Keys = keys;
                link.Delay = TimeSpan.Zero;
                link.Connecting = null;
            }

            FederationLog.LinkUp(logger, Up);
        }
        catch (Exception e) when (e is PurrClientException or RelayFailure or OperationCanceledException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            var reason = e switch
            {
                PurrProtocolException { Code: ErrorCode.PeerRefused } refused => PeerHelloHandler.KnownReasons.Contains(refused.Detail)
                    ? $"the peer refused the link: {refused.Detail}"
                    : "the peer refused the link",
                PurrProtocolException refused => $"the peer answered {refused.Code}",
                PurrServerKeyMismatchException => "the server at that address has a different key",
                RelayFailure failure => failure.Message,
                _ => "the peer server could not be reached",
            };
            var refusedByPeer = e is PurrProtocolException { Code: ErrorCode.PeerRefused };
            TimeSpan delay;
            lock (gate)
            {
                link.LastRefusedByPeer = refusedByPeer;
                link.Delay = delay = link.Delay == TimeSpan.Zero ? policy.Options.ReconnectDelay : TimeSpan.FromTicks(Math.Min(link.Delay.Ticks * 2, MaxDelay.Ticks));
                link.NextAttempt = time.GetUtcNow() + delay;
                link.LastFailure = reason;
                link.Connecting = null;
            }

            FederationLog.LinkFailed(logger, reason, delay.TotalSeconds);
            throw new RelayFailure(reason, delay, refusedByPeer);
        }
    }

    /// <summary>PeerHello: this server's key over the peer's session nonce, and the pre-shared key both ways where there is one.</summary>
    private async Task<ServerKeys> ProveAsync(PurrConnection connection, PurrAddress peer)
    {
        var nonce = SecureRandom.Bytes(SignedBytes.NonceBytes);
        var hello = new PeerHello
        {
            ServerIdentityKey = ByteString.CopyFrom(identity.IdentityKey),
            PeerNonce = ByteString.CopyFrom(nonce),
            Signature = ByteString.CopyFrom(identity.Sign(SignedBytes.PeerHello(connection.SessionNonce.Span, nonce, peer.IdentityKey))),
        };
        var shared = policy.Peer(peer.IdentityKey)?.PreSharedKey;
        if (shared is not null)
        {
            hello.PskProof = ByteString.CopyFrom(
                PeerProof.Compute(shared, PeerProof.Connecting, connection.SessionNonce.Span, nonce, identity.IdentityKey, peer.IdentityKey));
        }

        var accepted = (await connection.RequestAsync(new Request { PeerHello = hello }, signer: null)).PeerAccepted;
        if (shared is not null)
        {
            var expected = PeerProof.Compute(shared, PeerProof.Listening, connection.SessionNonce.Span, nonce, identity.IdentityKey, peer.IdentityKey);
            if (!ConstantTime.Equal(expected, accepted.PskProof.Span))
            {
                throw new RelayFailure("the peer did not prove the pre-shared key", policy.Options.ReconnectDelay);
            }
        }

        if (accepted.X25519Key.Length != X25519.KeyBytes
            || !Ed25519.Verify(peer.IdentityKey, SignedBytes.ServerX25519(accepted.X25519Key.Span), accepted.X25519Signature.Span))
        {
            throw new RelayFailure("the peer's X25519 key is not signed by its identity key", policy.Options.ReconnectDelay);
        }

        return new ServerKeys { X25519Key = accepted.X25519Key, X25519Signature = accepted.X25519Signature };
    }

    /// <summary>A peer pushes broadcasts to links as to any connection; nobody reads them, and the queue must not fill.</summary>
    private static async Task DrainEventsAsync(PurrConnection connection)
    {
        await foreach (var _ in connection.Events.ReadAllAsync())
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        List<PurrConnection> open;
        lock (gate)
        {
            open = [.. links.Values.Select(l => l.Connection).OfType<PurrConnection>()];
            links.Clear();
        }

        foreach (var connection in open)
        {
            await connection.DisposeAsync();
        }

        stopping.Dispose();
    }
}
