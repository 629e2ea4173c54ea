using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Purr.Crypto;
using Purr.Crypto.Noise;
using Purr.Protocol;
using Purr.Protocol.Framing;

namespace Purr.Client.Transport;

/// <summary>
/// The MQTT transport (PROTOCOL.md section 2): the client's own session with the broker, a fresh connection id,
/// and Noise_NX with the server inside, so the broker carries only ciphertext on opaque topics. The server
/// proves its static X25519 key with the identity key the address pins; the Purr hello then runs inside.
/// </summary>
internal sealed class MqttClientTransport : IClientTransport
{
    private readonly IMqttClient client;
    private readonly string upTopic;
    private readonly int maxFrameBytes;
    /// <summary>Payloads as the broker delivered them, decrypted by the one reader in order.</summary>
    private readonly Channel<byte[]> inbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private NoiseCipherState? send;
    private NoiseCipherState? receive;
    private volatile bool open;

    private MqttClientTransport(IMqttClient client, TransportEndpoint endpoint, string connectionId, int maxFrameBytes)
    {
        this.client = client;
        this.maxFrameBytes = maxFrameBytes;
        Endpoint = endpoint;
        upTopic = MqttTopic.Up(endpoint.Path, connectionId);
    }

    public TransportEndpoint Endpoint { get; }

    public bool IsOpen => open && client.IsConnected;

    public WebSocketCloseStatus? CloseStatus => null;

    public static async Task<IClientTransport> ConnectAsync(
        TransportEndpoint endpoint, byte[] pinnedIdentityKey, int maxFrameBytes, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var connectionId = MqttFraming.NewConnectionId();
        var transport = new MqttClientTransport(client, endpoint, connectionId, maxFrameBytes);
        try
        {
            await transport.OpenAsync(connectionId, pinnedIdentityKey, cancellationToken);
            return transport;
        }
        catch
        {
            await transport.DisposeAsync();
            throw;
        }
    }

    private async Task OpenAsync(string connectionId, byte[] pinnedIdentityKey, CancellationToken cancellationToken)
    {
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += _ =>
        {
            open = false;
            inbound.Writer.TryComplete();
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(Endpoint.Host, Endpoint.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("purr-" + MqttFraming.NewConnectionId())
            .WithCleanStart()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .Build();
        await client.ConnectAsync(options, cancellationToken);
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(MqttTopic.Down(Endpoint.Path, connectionId), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken);

        var handshake = NoiseNx.Initiator(MqttFraming.Prologue(connectionId));
        await PublishAsync(handshake.WriteFirst([]), cancellationToken);
        if (!await inbound.Reader.WaitToReadAsync(cancellationToken) || !inbound.Reader.TryRead(out var answer))
        {
            throw new IOException("the MQTT broker closed the connection during the handshake");
        }

        var proof = handshake.ReadSecond(answer);
        if (proof is null || proof.Length != MqttFraming.ServerProofBytes || handshake.RemoteStaticKey is not { } serverStatic)
        {
            throw new IOException("the MQTT transport's handshake did not authenticate");
        }

        if (!ConstantTime.Equal(proof.AsSpan(0, 32), pinnedIdentityKey)
            || !Ed25519.Verify(pinnedIdentityKey, SignedBytes.ServerX25519(serverStatic), proof.AsSpan(32)))
        {
            throw new PurrServerKeyMismatchException(
                "the server behind the MQTT broker could not prove the identity key the address pins; refusing to connect");
        }

        (send, receive) = handshake.Split();
        open = true;
    }

    public ValueTask<Frame> ReceiveAsync(CancellationToken cancellationToken) =>
        NoiseReceiving.NextAsync(inbound.Reader, receive!, maxFrameBytes, token => SendAsync(ReadOnlyMemory<byte>.Empty, token), () => open = false, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await sendGate.WaitAsync(cancellationToken);
        try
        {
            // Encrypting and publishing under one gate keeps the nonces in the order the broker delivers.
            await PublishAsync(send!.EncryptWithAd([], frame.Span), cancellationToken);
        }
        finally
        {
            sendGate.Release();
        }
    }

    public async Task CloseAsync()
    {
        if (!open)
        {
            return;
        }

        open = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await PublishAsync([], timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or MqttCommunicationException or InvalidOperationException)
        {
            // The broker is gone; the server's idle timeout ends the session.
        }
    }

    public async ValueTask DisposeAsync()
    {
        open = false;
        inbound.Writer.TryComplete();
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or MqttCommunicationException or InvalidOperationException)
        {
            // Disconnecting anyway.
        }

        client.Dispose();
    }

    private Task PublishAsync(byte[] payload, CancellationToken cancellationToken) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(upTopic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken);

    /// <summary>MQTTnet calls this for one message at a time, in the broker's order.</summary>
    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        inbound.Writer.TryWrite(received.ApplicationMessage.Payload.ToArray());
        return Task.CompletedTask;
    }
}
