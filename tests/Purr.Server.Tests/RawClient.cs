using System.Net.WebSockets;
using Google.Protobuf;
using Purr.Protocol.V1;

namespace Purr.Server.Tests;

/// <summary>A bare WebSocket that sends whatever bytes a test wants and reads ServerFrames, for bad-input tests.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();

    public ServerHello Hello { get; private set; } = new();

    public WebSocketState State => socket.State;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    /// <param name="source">A loopback address to connect from (127.0.0.x), to stand for another client machine.</param>
    public static async Task<RawClient> ConnectAsync(Uri uri, bool readHello = true, System.Net.IPAddress? source = null)
    {
        var client = new RawClient();
        if (source is null)
        {
            await client.socket.ConnectAsync(uri, CancellationToken.None);
        }
        else
        {
            using var handler = new System.Net.Http.SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    tcp.Bind(new System.Net.IPEndPoint(source, 0));
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(tcp, ownsSocket: true);
                },
            };
            using var invoker = new HttpMessageInvoker(handler);
            await client.socket.ConnectAsync(uri, invoker, CancellationToken.None);
        }

        if (readHello)
        {
            client.Hello = (await client.ReceiveAsync())!.ServerHello;
        }

        return client;
    }

    public Task SendBytesAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Binary) =>
        socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);

    public Task SendRequestAsync(Request request, byte[]? signature = null)
    {
        var frame = new ClientFrame { Request = request.ToByteString() };
        if (signature is not null)
        {
            frame.Signature = ByteString.CopyFrom(signature);
        }

        return SendBytesAsync(frame.ToByteArray());
    }

    /// <summary>The next frame, or null once the server closed the connection.</summary>
    public async Task<ServerFrame?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return ServerFrame.Parser.ParseFrom(buffer, 0, length);
            }
        }
    }

    public async Task HelloAsync(ulong id = 1)
    {
        await SendRequestAsync(new Request
        {
            Id = id,
            Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(new byte[32]) },
        });
        var response = await ReceiveAsync();
        Assert.Equal(ServerFrame.BodyOneofCase.HelloAccepted, response!.BodyCase);
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await Task.CompletedTask;
    }
}
