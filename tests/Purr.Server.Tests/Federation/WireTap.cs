using System.Net;
using System.Net.Sockets;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// A TCP forwarder on loopback that counts the bytes going each way: put between two purrd processes, it is the wire a
/// federation link runs over, as an observer of that link would capture it.
/// </summary>
internal sealed class WireTap : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int target;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> pumps = [];
    private long upstream;
    private long downstream;

    private WireTap(int target)
    {
        this.target = target;
        listener.Start();
        pumps.Add(AcceptAsync());
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Bytes from the connecting side to the target so far.</summary>
    public long Upstream => Interlocked.Read(ref upstream);

    public long Downstream => Interlocked.Read(ref downstream);

    public static WireTap To(int port) => new(port);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient();
            await outbound.ConnectAsync(IPAddress.Loopback, target);
            lock (pumps)
            {
                pumps.Add(PumpAsync(inbound.GetStream(), outbound.GetStream(), up: true));
                pumps.Add(PumpAsync(outbound.GetStream(), inbound.GetStream(), up: false));
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool up)
    {
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
            {
                Interlocked.Add(ref up ? ref upstream : ref downstream, read);
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Task[] all;
        lock (pumps)
        {
            all = [.. pumps];
        }

        await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stop.Dispose();
    }
}
