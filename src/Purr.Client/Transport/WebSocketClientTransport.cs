using System.Net.WebSockets;
using Purr.Protocol;
using Purr.Protocol.Framing;

namespace Purr.Client.Transport;

/// <summary>The WebSocket transport: one binary message per frame on ws(s)://host:port/v1/ws.</summary>
internal sealed class WebSocketClientTransport : IClientTransport
{
    private readonly ClientWebSocket socket;
    private readonly WebSocketFrameReader reader;

    private WebSocketClientTransport(ClientWebSocket socket, TransportEndpoint endpoint, int maxFrameBytes)
    {
        this.socket = socket;
        Endpoint = endpoint;
        reader = new WebSocketFrameReader(socket, maxFrameBytes);
    }

    public TransportEndpoint Endpoint { get; }

    public bool IsOpen => socket.State == WebSocketState.Open;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public static async Task<IClientTransport> ConnectAsync(TransportEndpoint endpoint, int maxFrameBytes, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        var uri = new UriBuilder(endpoint.Tls ? "wss" : "ws", endpoint.Host, endpoint.Port, endpoint.Path).Uri;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
            return new WebSocketClientTransport(socket, endpoint, maxFrameBytes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask<Frame> ReceiveAsync(CancellationToken cancellationToken) => reader.ReadAsync(cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing anyway.
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
