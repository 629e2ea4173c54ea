using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Purr.Crypto.Noise;
using Purr.Protocol;
using Purr.Protocol.Framing;
using Purr.Server.Identity;
using Purr.Server.Logging;

namespace Purr.Server.Transport.Mqtt;

/// <summary>
/// The MQTT transport (PROTOCOL.md section 2): purrd as a client of an existing broker (<c>Mqtt:Endpoint</c>),
/// subscribed to every connection's up topic under its prefix. A first payload on an unknown connection id is a
/// Noise_NX handshake; purrd answers on the down topic, proving its X25519 key with its identity key, and runs a
/// <see cref="Sessions.ProtocolSession"/> over the encrypted channel, as for a WebSocket. The broker sees
/// random topic names and ciphertext. Lost broker: every MQTT session ends, and purrd reconnects with back-off.
/// </summary>
internal sealed class MqttBridge(
    IServiceProvider services,
    IOptions<MqttOptions> options,
    IOptions<ConnectionLimitsOptions> limits,
    ServerIdentity identity,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ConcurrentDictionary<string, NoiseFrameChannel> sessions = new(StringComparer.Ordinal);
    private readonly ILogger logger = loggers.CreateLogger("Purr.Server.Transport");
    private readonly AddressRateLimiter handshakes = new(options.Value.HandshakesPerMinute, time);
    private IMqttClient? client;
    private string prefix = "";

    /// <summary>Open MQTT sessions (for the operator's report and the tests).</summary>
    public int Open => sessions.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Endpoint.Length == 0)
        {
            return;
        }

        var endpoint = TransportEndpoint.Parse(options.Value.Endpoint);
        prefix = endpoint.Path;
        var delay = options.Value.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var mqtt = new MqttClientFactory().CreateMqttClient();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            mqtt.DisconnectedAsync += _ =>
            {
                lost.TrySetResult();
                return Task.CompletedTask;
            };
            mqtt.ApplicationMessageReceivedAsync += OnMessageAsync;
            try
            {
                await mqtt.ConnectAsync(ClientOptions(endpoint), stoppingToken);
                await mqtt.SubscribeAsync(
                    new MqttClientSubscribeOptionsBuilder().WithTopicFilter(MqttTopic.AllUp(prefix), MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                    stoppingToken);
                client = mqtt;
                ServerLog.MqttState(logger, "connected to the broker");
                delay = options.Value.ReconnectDelay;
                await lost.Task.WaitAsync(stoppingToken);
                ServerLog.MqttState(logger, "lost the broker; reconnecting");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or IOException
                or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                ServerLog.MqttState(logger, "cannot reach the broker (" + e.GetType().Name + "); retrying");
            }
            finally
            {
                client = null;
                EndAll();
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
        }

        if (client is { IsConnected: true } connected)
        {
            await connected.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        }
    }

    private MqttClientOptions ClientOptions(TransportEndpoint endpoint)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("purrd-" + MqttFraming.NewConnectionId())
            .WithCleanStart()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        if (options.Value.Username is { Length: > 0 } user)
        {
            builder = builder.WithCredentials(user, options.Value.Password ?? "");
        }

        return builder.Build();
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        var topic = received.ApplicationMessage.Topic;
        var upPrefix = prefix + "/u/";
        if (!topic.StartsWith(upPrefix, StringComparison.Ordinal) || !MqttFraming.IsConnectionId(topic[upPrefix.Length..]))
        {
            return Task.CompletedTask;
        }

        var connectionId = topic[upPrefix.Length..];
        var payload = received.ApplicationMessage.Payload.ToArray();
        if (sessions.TryGetValue(connectionId, out var session))
        {
            session.Deliver(payload);
        }
        else if (payload.Length == NoiseNx.FirstMessageOverhead)
        {
            Accept(connectionId, payload);
        }

        // Anything else (a late payload of an ended connection, a malformed first message) is dropped unanswered.
        return Task.CompletedTask;
    }

    /// <summary>Answers a handshake and starts the session (or refuses it inside the encrypted channel).</summary>
    private void Accept(string connectionId, byte[] first)
    {
        if (client is not { } mqtt || !handshakes.TryTake(IPAddress.None))
        {
            return;
        }

        var handshake = NoiseNx.Responder(MqttFraming.Prologue(connectionId), identity.AgreementKey);
        if (handshake.ReadFirst(first) is null || handshake.WriteSecond([.. identity.IdentityKey, .. identity.X25519Signature]) is not { } second)
        {
            return;
        }

        var down = MqttTopic.Down(prefix, connectionId);
        var (receive, send) = handshake.Split();
        var limit = limits.Value;
        var channel = new NoiseFrameChannel(
            (payload, token) => Publish(mqtt, down, payload, token), receive, send, limit.MaxFrameBytes, limit.OutboundQueueFrames,
            limit.SendTimeout, limit.PingInterval, limit.IdleTimeout, logger);
        _ = Publish(mqtt, down, second, CancellationToken.None);
        if (!sessions.TryAdd(connectionId, channel))
        {
            channel.Dispose();
            return;
        }

        _ = Task.Run(() => RunAsync(connectionId, channel));
    }

    private async Task RunAsync(string connectionId, NoiseFrameChannel channel)
    {
        // Each MQTT connection counts as its own address (a private IPv6 address drawn from its id), so the per-address
        // limits (failed authentications) fall on it alone, not on everyone behind the broker.
        var address = PseudoAddress(connectionId);
        try
        {
            if (sessions.Count > options.Value.MaxSessions)
            {
                ServerLog.ConnectionRefused(logger, "MQTT session limit");
                await channel.WriteAsync(new OutboundFrame(SessionLauncher.RefusalFrame(new ConnectionRefusal(
                    "full", Protocol.V1.ErrorCode.Unavailable, 503, "too many MQTT connections to this server", TimeSpan.FromSeconds(1))), null), CancellationToken.None);
                await channel.ShutdownAsync(TimeSpan.FromSeconds(2));
                return;
            }

            ServerLog.ConnectionOpened(logger, sessions.Count);
            await SessionLauncher.RunAsync(services, channel, address);
        }
        catch (Exception e)
        {
            ServerLog.HandlerFailed(logger, e.GetType().Name);
        }
        finally
        {
            sessions.TryRemove(connectionId, out _);
            channel.Dispose();
        }
    }

    private void EndAll()
    {
        foreach (var session in sessions.Values)
        {
            session.Abort();
        }
    }

    private static Task Publish(IMqttClient mqtt, string topic, byte[] payload, CancellationToken cancellationToken) =>
        mqtt.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            cancellationToken);

    private static IPAddress PseudoAddress(string connectionId)
    {
        var bytes = new byte[16];
        bytes[0] = 0xfd;
        SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(connectionId)).AsSpan(0, 15).CopyTo(bytes.AsSpan(1));
        return new IPAddress(bytes);
    }
}
