using System.Net.WebSockets;
using Google.Protobuf;
using Purr.Protocol.V1;

namespace Purr.Bench.Clients;

/// <summary>A client of the raw relay: the same protobuf framing over the same WebSocket stack, nothing else.</summary>
internal sealed class RelayChatClient : IChatClient
{
    private readonly ClientWebSocket socket;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly Task loop;
    private readonly TaskCompletionSource registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong nextId = 1_000_000;

    private RelayChatClient(ClientWebSocket socket, uint number)
    {
        this.socket = socket;
        Number = number;
        loop = Task.Run(ReceiveLoopAsync);
    }

    public uint Number { get; }

    public Action<ReadOnlyMemory<byte>>? OnMessage { get; set; }

    public static async Task<RelayChatClient> ConnectAsync(string host, int port, uint number)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{host}:{port}/v1/ws"), CancellationToken.None);
        var client = new RelayChatClient(socket, number);
        await client.WriteAsync(new Request { Id = number, Ping = new Ping() });
        await client.registered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    public Task SendAsync(IChatClient peer, byte[] payload) => WriteAsync(new Request
    {
        Id = Interlocked.Increment(ref nextId),
        SendMessage = new SendMessage { SendId = ByteString.CopyFrom(BitConverter.GetBytes(((RelayChatClient)peer).Number)), Payload = ByteString.CopyFrom(payload) },
    });

    /// <summary>To every other client of the relay: its equivalent of a room message.</summary>
    public Task BroadcastAsync(byte[] payload) => WriteAsync(new Request
    {
        Id = Interlocked.Increment(ref nextId),
        SendMessage = new SendMessage { Payload = ByteString.CopyFrom(payload) },
    });

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        socket.Dispose();
    }

    private async Task WriteAsync(Request request)
    {
        var frame = new ClientFrame { Request = request.ToByteString() }.ToByteArray();
        await sendGate.WaitAsync();
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        finally
        {
            sendGate.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[256 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var frame = ServerFrame.Parser.ParseFrom(buffer, 0, length);
            if (frame.BodyCase == ServerFrame.BodyOneofCase.Pong)
            {
                registered.TrySetResult();
            }
            else if (frame.BodyCase == ServerFrame.BodyOneofCase.MessageEvent)
            {
                OnMessage?.Invoke(frame.MessageEvent.Message.Payload.Memory);
            }
        }
    }
}

internal sealed class RelaySystem(string host, int port) : IChatSystem
{
    public string Name => "raw relay";

    public async Task<IChatClient> ConnectAsync(int index) => await RelayChatClient.ConnectAsync(host, port, (uint)index + 1);
}
