using System.Net.WebSockets;
using Purr.Protocol;
using Purr.Protocol.Framing;

namespace Purr.Client.Transport;

/// <summary>
/// One open way of exchanging whole frames with a Purr server (PROTOCOL.md section 2): a WebSocket, the raw
/// framing over TCP or a Unix socket, or MQTT through a broker. <see cref="PurrConnection"/> runs the same
/// protocol over each; the server's key is checked by the hello, whatever the transport.
/// </summary>
internal interface IClientTransport : IAsyncDisposable
{
    TransportEndpoint Endpoint { get; }

    bool IsOpen { get; }

    /// <summary>The WebSocket close status the server gave, where the transport has one.</summary>
    WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The next frame (dispose it), or a Close frame once the server ended the connection.</summary>
    ValueTask<Frame> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends one frame; callers serialise their sends.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Ends the connection politely (a close the server sees), within a short grace.</summary>
    Task CloseAsync();
}
