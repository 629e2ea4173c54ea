using Purr.Protocol;

namespace Purr.Client.Transport;

/// <summary>Opens the transport an endpoint names.</summary>
internal static class ClientTransports
{
    public static Task<IClientTransport> ConnectAsync(
        TransportEndpoint endpoint, PurrAddress address, int maxFrameBytes, CancellationToken cancellationToken) => endpoint.Kind switch
    {
        TransportKind.WebSocket => WebSocketClientTransport.ConnectAsync(endpoint, maxFrameBytes, cancellationToken),
        TransportKind.Tcp or TransportKind.Unix => StreamClientTransport.ConnectAsync(endpoint, maxFrameBytes, cancellationToken),
        TransportKind.Mqtt => MqttClientTransport.ConnectAsync(endpoint, address.IdentityKey, maxFrameBytes, cancellationToken),
        _ => throw new NotSupportedException($"no client for {endpoint.Kind}"),
    };
}
