using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Noise;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;

namespace Purr.Client.Transport;

/// <summary>
/// A relayed connection (PROTOCOL.md 15.6): frames to another server carried by the client's own server over its
/// federation link, inside Noise_NX with the destination as the MQTT transport does it. The home connection carries
/// the tunnel's frames as TunnelSend requests and TunnelData pushes; the home server sees only ciphertext.
/// </summary>
internal sealed class TunnelClientTransport : IClientTransport
{
    /// <summary>Frames pushed and not yet read; a reader that falls this far behind loses the tunnel (the home's loop never waits).</summary>
    private const int InboundFrames = 4096;

    private readonly PurrConnection home;
    private readonly uint tunnelId;
    private readonly int maxFrameBytes;
    private readonly Channel<byte[]> inbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(InboundFrames) { SingleReader = true });
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private NoiseCipherState? send;
    private NoiseCipherState? receive;
    private volatile bool open;

    private TunnelClientTransport(PurrConnection home, PurrAddress destination, int maxFrameBytes)
    {
        this.home = home;
        this.maxFrameBytes = maxFrameBytes;
        tunnelId = home.NextTunnelId();
        Endpoint = destination.Endpoints(false).First();
    }

    /// <summary>The destination's first endpoint, for messages: the connection itself goes through the home server.</summary>
    public TransportEndpoint Endpoint { get; }

    public bool IsOpen => open && home.IsOpen;

    public WebSocketCloseStatus? CloseStatus => null;

    /// <summary>Opens the tunnel and checks the destination's proof; the home's refusal comes as <see cref="PurrProtocolException"/>.</summary>
    public static async Task<IClientTransport> OpenAsync(PurrConnection home, PurrAddress destination, int maxFrameBytes, CancellationToken cancellationToken)
    {
        var transport = new TunnelClientTransport(home, destination, maxFrameBytes);
        home.AttachTunnel(transport.tunnelId, transport.OnFrame);
        try
        {
            var handshake = NoiseNx.Initiator(TunnelFraming.Prologue);
            var opened = (await home.RequestAsync(
                new Request
                {
                    TunnelOpen = new TunnelOpen
                    {
                        TunnelId = transport.tunnelId,
                        Destination = destination.ToString(),
                        Handshake = ByteString.CopyFrom(handshake.WriteFirst([])),
                    },
                },
                signer: null,
                cancellationToken)).TunnelOpened;
            var proof = handshake.ReadSecond(opened.Handshake.Span);
            if (proof is null || proof.Length != MqttFraming.ServerProofBytes || handshake.RemoteStaticKey is not { } serverStatic)
            {
                throw new IOException("the relayed connection's handshake did not authenticate");
            }

            if (!ConstantTime.Equal(proof.AsSpan(0, 32), destination.IdentityKey)
                || !Ed25519.Verify(destination.IdentityKey, SignedBytes.ServerX25519(serverStatic), proof.AsSpan(32)))
            {
                throw new PurrServerKeyMismatchException(
                    $"the server reached through your own server could not prove the identity key {destination.Host}:{destination.Port}'s address pins; refusing to connect");
            }

            (transport.send, transport.receive) = handshake.Split();
            transport.open = true;
            return transport;
        }
        catch
        {
            home.DetachTunnel(transport.tunnelId);
            if (transport.open || home.IsOpen)
            {
                await transport.CloseAsync();
            }

            throw;
        }
    }

    public ValueTask<Frame> ReceiveAsync(CancellationToken cancellationToken) =>
        NoiseReceiving.NextAsync(inbound.Reader, receive!, maxFrameBytes, token => SendAsync(ReadOnlyMemory<byte>.Empty, token), () => open = false, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await sendGate.WaitAsync(cancellationToken);
        try
        {
            if (!open)
            {
                throw new IOException("the relayed connection is closed");
            }

            // Encrypting and posting under one gate keeps the nonces in the order the home server passes them on.
            var posted = await home.PostAsync(
                new Request { TunnelSend = new TunnelSend { TunnelId = tunnelId, Data = ByteString.CopyFrom(send!.EncryptWithAd([], frame.Span)) } },
                cancellationToken);
            _ = posted.ContinueWith(
                answer =>
                {
                    if (!answer.IsCompletedSuccessfully || answer.Result.BodyCase == ServerFrame.BodyOneofCase.Error)
                    {
                        // The home server no longer carries the tunnel (the link went, a limit): it is over.
                        End();
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (PurrConnectionException e)
        {
            End();
            throw new IOException("the connection to your own server closed", e);
        }
        finally
        {
            sendGate.Release();
        }
    }

    public async Task CloseAsync()
    {
        var wasOpen = open;
        End();
        if (!wasOpen || !home.IsOpen)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await home.PostAsync(new Request { TunnelSend = new TunnelSend { TunnelId = tunnelId } }, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or PurrConnectionException)
        {
            // The home connection is gone: the home server closed the tunnel with it.
        }
    }

    public ValueTask DisposeAsync()
    {
        End();
        sendGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>From the home connection's receive loop: never waits.</summary>
    private void OnFrame(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty || !inbound.Writer.TryWrite(data.ToArray()))
        {
            End();
        }
    }

    private void End()
    {
        open = false;
        home.DetachTunnel(tunnelId);
        inbound.Writer.TryComplete();
    }
}
