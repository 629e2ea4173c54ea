using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Sessions;

namespace Purr.Server.Admin;

/// <summary>
/// The operator's emergency broadcasts (the Meow protocol's): signed by the server key, pushed at once to every
/// connection past its hello, and to each connection that completes its hello while the broadcast lasts. Held in
/// memory only (a restart ends them); at most <see cref="MaxActive"/> at a time, the oldest going first. With
/// several processes, a relay (<see cref="IBroadcastRelay"/>) hands each broadcast to the others, which take it
/// only if this server's identity signed it and it has not expired.
/// </summary>
internal sealed class Broadcasts : ISessionObserver
{
    public const int MaxTextBytes = 2000;
    public const int MaxActive = 8;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);
    private readonly ConcurrentDictionary<IClientSession, bool> sessions = new();
    private readonly Lock gate = new();
    private readonly List<(ServerFrame Frame, DateTimeOffset ExpiresAt)> active = [];
    private readonly ServerIdentity identity;
    private readonly TimeProvider time;
    private readonly IBroadcastRelay? relay;

    public Broadcasts(ServerIdentity identity, TimeProvider time, IEnumerable<IBroadcastRelay> relays)
    {
        this.identity = identity;
        this.time = time;
        relay = relays.FirstOrDefault();
        relay?.OnReceived(Relayed);
    }

    /// <summary>Signs and sends a broadcast; returns how many connections it was pushed to now.</summary>
    public int Send(string text, TimeSpan lifetime)
    {
        if (string.IsNullOrWhiteSpace(text) || Encoding.UTF8.GetByteCount(text) > MaxTextBytes)
        {
            throw new ArgumentException($"a broadcast is 1 to {MaxTextBytes} bytes of text");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentException("a broadcast lasts more than 0 and at most 7 days");
        }

        var now = time.GetUtcNow();
        var body = new BroadcastBody
        {
            BroadcastId = ByteString.CopyFrom(SecureRandom.Bytes(16)),
            Text = text,
            SentAt = now.ToUnixTimeSeconds(),
            ExpiresAt = (now + lifetime).ToUnixTimeSeconds(),
        }.ToByteArray();
        var frame = new ServerFrame
        {
            Broadcast = new ServerBroadcast { Body = ByteString.CopyFrom(body), Signature = ByteString.CopyFrom(identity.Sign(SignedBytes.ServerBroadcast(body))) },
        };
        relay?.PublishAsync(frame.Broadcast.ToByteArray()).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        return Keep(frame, now + lifetime);
    }

    /// <summary>A broadcast from another process of this deployment: kept and pushed only if it is genuinely ours and current.</summary>
    private void Relayed(byte[] serialized)
    {
        try
        {
            var broadcast = ServerBroadcast.Parser.ParseFrom(serialized);
            var body = BroadcastBody.Parser.ParseFrom(broadcast.Body);
            var expires = DateTimeOffset.FromUnixTimeSeconds(body.ExpiresAt);
            bool known;
            lock (gate)
            {
                // Redis hands a process its own broadcasts back too.
                known = active.Any(b => b.Frame.Broadcast.Body.Equals(broadcast.Body));
            }

            if (!known && Ed25519.Verify(identity.IdentityKey, SignedBytes.ServerBroadcast(broadcast.Body.Span), broadcast.Signature.Span)
                && expires > time.GetUtcNow())
            {
                Keep(new ServerFrame { Broadcast = broadcast }, expires);
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // Not a broadcast: nothing to keep.
        }
    }

    private int Keep(ServerFrame frame, DateTimeOffset expiresAt)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            active.RemoveAll(b => b.ExpiresAt <= now);
            if (active.Count == MaxActive)
            {
                active.RemoveAt(0);
            }

            active.Add((frame, expiresAt));
        }

        return sessions.Keys.Count(session => session.TryPush(frame));
    }

    public int ActiveCount
    {
        get
        {
            var now = time.GetUtcNow();
            lock (gate)
            {
                return active.Count(b => b.ExpiresAt > now);
            }
        }
    }

    public void HelloCompleted(IClientSession session)
    {
        sessions[session] = true;
        var now = time.GetUtcNow();
        List<ServerFrame> current;
        lock (gate)
        {
            current = [.. active.Where(b => b.ExpiresAt > now).Select(b => b.Frame)];
        }

        foreach (var frame in current)
        {
            session.TryPush(frame);
        }
    }

    public void SessionClosed(IClientSession session) => sessions.TryRemove(session, out _);
}
