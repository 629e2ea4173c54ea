using System.Net;

namespace Purr.Server.Transport;

/// <summary>
/// Counts open things (sockets, sessions) in total and per IP address, refusing beyond two caps. Addresses
/// are held in memory only while something from them is open, and are never logged or stored.
/// </summary>
public sealed class AddressCounter(int maxTotal, int maxPerAddress)
{
    private readonly Lock gate = new();
    private readonly Dictionary<IPAddress, int> perAddress = [];
    private int total;

    public int MaxTotal { get; } = maxTotal;

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
            if (total >= MaxTotal)
            {
                return Admission.ServerFull;
            }

            perAddress.TryGetValue(address, out var count);
            if (count >= maxPerAddress)
            {
                return Admission.TooManyFromAddress;
            }

            perAddress[address] = count + 1;
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
            if (perAddress.TryGetValue(address, out var count) && count > 1)
            {
                perAddress[address] = count - 1;
            }
            else
            {
                perAddress.Remove(address);
            }
        }
    }

    /// <summary>IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d; they count as the IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

public enum Admission
{
    Admitted,
    ServerFull,
    TooManyFromAddress,
}
