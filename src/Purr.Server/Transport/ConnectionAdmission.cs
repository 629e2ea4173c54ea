using System.Net;

namespace Purr.Server.Transport;

/// <summary>
/// Counts open connections in total and per IP address. Addresses are held in memory only while
/// their connections are open and are never logged or stored.
/// </summary>
public sealed class ConnectionAdmission(Microsoft.Extensions.Options.IOptions<ConnectionLimitsOptions> options)
{
    private readonly Lock gate = new();
    private readonly Dictionary<IPAddress, int> perIp = [];
    private readonly ConnectionLimitsOptions limits = options.Value;
    private int total;

    public int Open
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    public Admission TryAdmit(IPAddress? address)
    {
        address = Normalize(address);
        lock (gate)
        {
            if (total >= limits.MaxConnections)
            {
                return Admission.ServerFull;
            }

            perIp.TryGetValue(address, out var count);
            if (count >= limits.MaxConnectionsPerIp)
            {
                return Admission.TooManyFromAddress;
            }

            perIp[address] = count + 1;
            total++;
            return Admission.Admitted;
        }
    }

    public void Release(IPAddress? address)
    {
        address = Normalize(address);
        lock (gate)
        {
            total--;
            if (perIp.TryGetValue(address, out var count) && count > 1)
            {
                perIp[address] = count - 1;
            }
            else
            {
                perIp.Remove(address);
            }
        }
    }

    // IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d; count them as the IPv4 address.
    private static IPAddress Normalize(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

public enum Admission
{
    Admitted,
    ServerFull,
    TooManyFromAddress,
}
