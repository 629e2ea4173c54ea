using System.Net;
using Purr.Protocol.V1;

namespace Purr.Server.Sessions;

/// <summary>What request handlers and modules may do with a client connection.</summary>
public interface IClientSession
{
    /// <summary>32 random bytes sent in ServerHello; every signed request on this connection covers them.</summary>
    ReadOnlyMemory<byte> SessionNonce { get; }

    /// <summary>
    /// The client's IP address (IPv4-mapped addresses as IPv4), for per-address limits on expensive work.
    /// Held in memory only; never logged, stored or sent anywhere.
    /// </summary>
    IPAddress RemoteAddress { get; }

    /// <summary>State that modules keep per connection, each under its own type.</summary>
    SessionFeatures Features { get; }

    /// <summary>
    /// Queues a server-pushed event without waiting. False when the connection's queue is full or it is closing;
    /// the caller decides whether to drop the event or to <see cref="Abort"/>.
    /// </summary>
    bool TryPush(ServerFrame frame);

    /// <summary>Like <see cref="TryPush"/> for a frame already serialised: fan-out encodes once for all members.</summary>
    bool TryPushEncoded(ReadOnlyMemory<byte> frame);

    /// <summary>
    /// Queues a server-pushed event, waiting while the connection's queue is full (a tunnel's frames on a federation
    /// link: back-pressure rather than loss); returns quietly when the connection is closing.
    /// </summary>
    ValueTask PushAsync(ServerFrame frame, CancellationToken cancellationToken) =>
        TryPush(frame) ? ValueTask.CompletedTask : throw new IOException("the connection's queue is full");

    /// <summary>Replaces the connection's request rate (a federation link carries many people's requests).</summary>
    void SetRequestRate(int requestsPerSecond)
    {
    }

    /// <summary>Closes the connection without a close handshake (used for clients that stopped reading).</summary>
    void Abort();
}
