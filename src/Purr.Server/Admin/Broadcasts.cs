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
/// memory only (a restart ends them); at most <see cref="MaxActive"/> at a time, the oldest going first.
/// </summary>
internal sealed class Broadcasts(ServerIdentity identity, TimeProvider time) : ISessionObserver
{
    public const int MaxTextBytes = 2000;
    public const int MaxActive = 8;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);
    private readonly ConcurrentDictionary<IClientSession, bool> sessions = new();
    private readonly Lock gate = new();
    private readonly List<(ServerFrame Frame, DateTimeOffset ExpiresAt)> active = [];

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
        lock (gate)
        {
            active.RemoveAll(b => b.ExpiresAt <= now);
            if (active.Count == MaxActive)
            {
                active.RemoveAt(0);
            }

            active.Add((frame, now + lifetime));
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
