using System.Collections.Concurrent;
using System.Net.WebSockets;
using Google.Protobuf;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;

// The stack's own limit: a Kestrel WebSocket relay with Purr's framing (one protobuf frame per
// message, request ids, a response per request) and nothing else: no crypto, no signatures, no
// storage, no acks. A SendMessage with an empty send_id goes to every other client (fan-out).
// A client's first request is a Ping whose id names it; a SendMessage whose
// send_id holds a 4-byte client number is forwarded to that client as a MessageEvent.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.UseWebSockets();
var clients = new ConcurrentDictionary<uint, Client>();

app.Map("/v1/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 426;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var client = new Client(socket);
    uint? name = null;
    // The same framing as purrd and the client library (Purr.Protocol.Framing), so the comparison is fair.
    var reader = new WebSocketFrameReader(socket, 128 * 1024);
    try
    {
        while (true)
        {
            using var frame = await reader.ReadAsync(context.RequestAborted);
            if (frame.Kind != FrameKind.Binary)
            {
                break;
            }

            var request = Request.Parser.ParseFrom(ClientFrame.Parser.ParseFrom(frame.Payload.Span).Request);
            switch (request.OpCase)
            {
                case Request.OpOneofCase.Ping:
                    name = (uint)request.Id;
                    clients[name.Value] = client;
                    await client.SendAsync(new ServerFrame { RequestId = request.Id, Pong = new Pong() });
                    break;
                case Request.OpOneofCase.SendMessage when request.SendMessage.SendId.IsEmpty:
                    // Fan-out: to every other client (the relay's equivalent of a room).
                    var broadcast = new ServerFrame
                    {
                        MessageEvent = new MessageEvent { Message = new StoredMessage { Payload = request.SendMessage.Payload } },
                    };
                    foreach (var (_, other) in clients)
                    {
                        if (other != client)
                        {
                            await other.SendAsync(broadcast);
                        }
                    }

                    await client.SendAsync(new ServerFrame { RequestId = request.Id, MessageAccepted = new MessageAccepted() });
                    break;
                case Request.OpOneofCase.SendMessage:
                    var target = BitConverter.ToUInt32(request.SendMessage.SendId.Span);
                    if (clients.TryGetValue(target, out var destination))
                    {
                        await destination.SendAsync(new ServerFrame
                        {
                            MessageEvent = new MessageEvent { Message = new StoredMessage { Payload = request.SendMessage.Payload } },
                        });
                    }

                    await client.SendAsync(new ServerFrame { RequestId = request.Id, MessageAccepted = new MessageAccepted() });
                    break;
                default:
                    await client.SendAsync(new ServerFrame { RequestId = request.Id, Ok = new Ok() });
                    break;
            }
        }
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidProtocolBufferException)
    {
    }
    finally
    {
        if (name is { } n)
        {
            clients.TryRemove(n, out _);
        }
    }
});

await app.StartAsync();
Console.Out.WriteLine($"relay listening: {app.Urls.First()}");
await app.WaitForShutdownAsync();

internal sealed class Client(WebSocket socket)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task SendAsync(ServerFrame frame)
    {
        var bytes = frame.ToByteArray();
        await gate.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            gate.Release();
        }
    }
}
