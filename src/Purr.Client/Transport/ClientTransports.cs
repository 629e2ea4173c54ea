using System.Diagnostics.CodeAnalysis;
using Purr.Protocol;

namespace Purr.Client.Transport;

/// <summary>Opens the transport an endpoint names.</summary>
internal static class ClientTransports
{
    /// <summary>
    /// Whether this build has the MQTT client: the trimming feature switch purrd's lean build turns off
    /// (Purr.Server.BuildFeatures), so native AOT leaves MQTTnet out of it. On everywhere else.
    /// </summary>
    [FeatureSwitchDefinition("Purr.Mqtt.IsSupported")]
    private static bool MqttSupported => !AppContext.TryGetSwitch("Purr.Mqtt.IsSupported", out var on) || on;

    public static Task<IClientTransport> ConnectAsync(
        TransportEndpoint endpoint, PurrAddress address, int maxFrameBytes, CancellationToken cancellationToken)
    {
        if (endpoint.Kind == TransportKind.Mqtt)
        {
            // A plain if, so that native AOT drops the branch (and MQTTnet) when the switch is off.
            if (!MqttSupported)
            {
                throw new PurrConnectionException($"{endpoint}: this build has no MQTT client (a lean purrd)");
            }

            return MqttClientTransport.ConnectAsync(endpoint, address.IdentityKey, maxFrameBytes, cancellationToken);
        }

        return endpoint.Kind switch
        {
            TransportKind.WebSocket => WebSocketClientTransport.ConnectAsync(endpoint, maxFrameBytes, cancellationToken),
            TransportKind.Tcp or TransportKind.Unix => StreamClientTransport.ConnectAsync(endpoint, maxFrameBytes, cancellationToken),
            _ => throw new NotSupportedException($"no client for {endpoint.Kind}"),
        };
    }
}
