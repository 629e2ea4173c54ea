using Microsoft.Extensions.Options;
using Purr.Protocol;

namespace Purr.Server.Transport;

/// <summary>
/// The endpoints the server lists after its WebSocket, in its address and /.well-known/purr: the operator's
/// <c>Transports:Advertise</c>, then the MQTT endpoint when one is configured and advertised.
/// </summary>
public sealed class AdvertisedTransports(IOptions<TransportOptions> transports, IOptions<MqttOptions> mqtt)
{
    public IReadOnlyList<TransportEndpoint> Endpoints { get; } =
    [
        .. transports.Value.Advertise.Select(TransportEndpoint.Parse),
        .. mqtt.Value.Endpoint.Length != 0 && mqtt.Value.Advertise ? [TransportEndpoint.Parse(mqtt.Value.Endpoint)] : Array.Empty<TransportEndpoint>(),
    ];

    /// <summary>The server's address at <paramref name="host"/>:<paramref name="port"/> with these endpoints.</summary>
    public PurrAddress Address(byte[] identityKey, string host, int port) => new(identityKey, host, port) { Transports = Endpoints };
}
