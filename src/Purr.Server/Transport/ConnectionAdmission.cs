using Microsoft.Extensions.Options;

namespace Purr.Server.Transport;

/// <summary>Counts Purr sessions (upgraded WebSockets) in total and per IP; beyond the limits the upgrade gets HTTP 503 or 429.</summary>
public sealed class ConnectionAdmission(IOptions<ConnectionLimitsOptions> options)
{
    private readonly AddressCounter counter = new(options.Value.MaxConnections, options.Value.MaxConnectionsPerIp);

    public int Open => counter.Open;

    public Admission TryAdmit(System.Net.IPAddress? address) => counter.TryAdmit(address);

    public void Release(System.Net.IPAddress? address) => counter.Release(address);
}
