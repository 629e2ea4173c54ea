using System.Collections.Concurrent;
using Google.Protobuf;
using Purr.Client.Transport;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client;

public sealed partial class PurrConnection
{
    /// <summary>Where each open tunnel's pushed frames go (PROTOCOL.md 15.6), by the tunnel id this side chose.</summary>
    private readonly ConcurrentDictionary<uint, Action<ReadOnlyMemory<byte>>> tunnels = new();
    private int lastTunnelId;

    /// <summary>
    /// Connects to <paramref name="destination"/> through <paramref name="home"/> (the client's own server, which
    /// relays): a relayed connection (PROTOCOL.md 15.6), end to end encrypted with the destination, whose key the
    /// tunnel's handshake and then the hello check as on any connection. The destination sees the home server's
    /// link, never this device's address; the home server sees which server and how much, never what.
    /// </summary>
    public static async Task<PurrConnection> ConnectThroughAsync(
        PurrConnection home, PurrAddress destination, PurrConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PurrConnectionOptions();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var transport = await TunnelClientTransport.OpenAsync(home, destination, MaxServerFrameBytes, timeout.Token);
        var connection = new PurrConnection(transport, destination, options);
        try
        {
            await connection.HandshakeAsync(timeout.Token);
            return connection;
        }
        catch (Exception e) when (e is IOException or InvalidProtocolBufferException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync();
            throw new PurrConnectionException($"the Purr server at {destination.Host}:{destination.Port} dropped the relayed connection during the handshake", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>True for a relayed connection: it goes through the client's own server, which the destination sees instead of this device.</summary>
    public bool IsRelayed => transport is TunnelClientTransport;

    /// <summary>A tunnel id not used before on this connection.</summary>
    public uint NextTunnelId() => (uint)Interlocked.Increment(ref lastTunnelId);

    /// <summary>
    /// Routes the TunnelData pushes for <paramref name="tunnelId"/> to <paramref name="deliver"/>, which runs on the
    /// receive loop and must not wait; an empty frame means the tunnel ended (also when this connection closes).
    /// </summary>
    public void AttachTunnel(uint tunnelId, Action<ReadOnlyMemory<byte>> deliver)
    {
        if (!tunnels.TryAdd(tunnelId, deliver))
        {
            throw new InvalidOperationException("a tunnel with this id is already attached");
        }
    }

    public void DetachTunnel(uint tunnelId) => tunnels.TryRemove(tunnelId, out _);

    /// <summary>
    /// Sends a request and returns once it is written, with the task of its answer (an Error answer completes it
    /// normally; a closed connection faults it): for frames whose order matters and whose answers need no waiting.
    /// </summary>
    public async Task<Task<ServerFrame>> PostAsync(Request request, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<ServerFrame> completion;
        await sendGate.WaitAsync(cancellationToken);
        try
        {
            request.Id = ++lastRequestId;
            completion = Register(request.Id);
            await SendLockedAsync(new ClientFrame { Request = request.ToByteString() }.ToByteArray(), cancellationToken);
        }
        catch
        {
            pending.TryRemove(request.Id, out _);
            throw;
        }
        finally
        {
            sendGate.Release();
        }

        var id = request.Id;
        return AnswerAsync();

        async Task<ServerFrame> AnswerAsync()
        {
            try
            {
                return await completion.Task.WaitAsync(options.RequestTimeout, CancellationToken.None);
            }
            catch (TimeoutException e)
            {
                throw new PurrConnectionException("the Purr server did not answer in time", e);
            }
            finally
            {
                pending.TryRemove(id, out _);
            }
        }
    }

    /// <summary>A pushed tunnel frame, handed to its tunnel; one for a tunnel not (or no longer) attached is dropped.</summary>
    private void DeliverTunnel(TunnelData data)
    {
        if (tunnels.TryGetValue(data.TunnelId, out var deliver))
        {
            if (data.Data.IsEmpty)
            {
                tunnels.TryRemove(data.TunnelId, out _);
            }

            deliver(data.Data.Memory);
        }
    }

    /// <summary>The connection closed: every tunnel on it ended.</summary>
    private void EndTunnels()
    {
        foreach (var id in tunnels.Keys)
        {
            if (tunnels.TryRemove(id, out var deliver))
            {
                deliver(ReadOnlyMemory<byte>.Empty);
            }
        }
    }
}
