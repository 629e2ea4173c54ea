using System.Net.Sockets;
using System.Net.WebSockets;
using Purr.Protocol;
using Purr.Protocol.Framing;

namespace Purr.Client.Transport;

/// <summary>
/// The raw framing (PROTOCOL.md section 2) over TCP (tcp://host:port) or a Unix socket (unix:/path): the
/// preamble, then length-prefixed frames; each keep-alive from the server is answered with one.
/// </summary>
internal sealed class StreamClientTransport : IClientTransport
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly StreamFrameReader reader;
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private volatile bool open = true;

    private StreamClientTransport(Socket socket, TransportEndpoint endpoint, int maxFrameBytes)
    {
        this.socket = socket;
        Endpoint = endpoint;
        stream = new NetworkStream(socket, ownsSocket: true);
        reader = new StreamFrameReader(stream, maxFrameBytes, AnswerKeepAlive);
    }

    public TransportEndpoint Endpoint { get; }

    public bool IsOpen => open;

    public WebSocketCloseStatus? CloseStatus => null;

    public static async Task<IClientTransport> ConnectAsync(TransportEndpoint endpoint, int maxFrameBytes, CancellationToken cancellationToken)
    {
        Socket socket;
        if (endpoint.Kind == TransportKind.Unix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await ConnectOrDisposeAsync(socket, s => s.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.Path), cancellationToken));
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await ConnectOrDisposeAsync(socket, s => s.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken));
        }

        var transport = new StreamClientTransport(socket, endpoint, maxFrameBytes);
        await transport.stream.WriteAsync(RawFraming.Preamble.ToArray(), cancellationToken);
        return transport;
    }

    public async ValueTask<Frame> ReceiveAsync(CancellationToken cancellationToken)
    {
        var frame = await reader.ReadAsync(cancellationToken);
        if (frame.Kind == FrameKind.Close)
        {
            open = false;
        }

        return frame;
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        await WriteAsync(RawFraming.Encode(frame.Span), cancellationToken);

    public async Task CloseAsync()
    {
        if (open)
        {
            open = false;
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Gone already.
            }
        }

        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        open = false;
        await stream.DisposeAsync();
        writeGate.Dispose();
    }

    private static async Task ConnectOrDisposeAsync(Socket socket, Func<Socket, ValueTask> connect)
    {
        try
        {
            await connect(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            open = false;
            throw new IOException("the connection to the Purr server is closed", e);
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>The server's keep-alive wants one back, or it closes the connection after its idle timeout.</summary>
    private void AnswerKeepAlive() =>
        _ = Task.Run(async () =>
        {
            try
            {
                await WriteAsync(RawFraming.KeepAlive, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The connection is ending; the reader will see it.
            }
        });
}
