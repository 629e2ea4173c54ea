using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Purr.Protocol.Lan;

/// <summary>
/// The names and sockets of Purr's DNS-SD service on multicast DNS (RFC 6762, RFC 6763): the service type
/// <c>_purr._tcp.local</c>, one instance per server, and its TXT record carrying the server's purr:// address.
/// </summary>
public static class PurrServiceDiscovery
{
    public const string ServiceType = "_purr._tcp.local";
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPAddress Group6 = IPAddress.Parse("ff02::fb");

    /// <summary>The TXT key whose value is the server's address (with the host as seen on that network).</summary>
    public const string AddressKey = "address";

    /// <summary>
    /// The addresses to announce or search on: <paramref name="configured"/> when given (IPv4 or IPv6), else the IPv4
    /// and the global or unique-local IPv6 addresses of every interface that is up, not loopback and
    /// multicast-capable (link-local IPv6 addresses need a zone, which a purr:// address cannot carry).
    /// </summary>
    public static IReadOnlyList<IPAddress> Interfaces(IReadOnlyCollection<string>? configured)
    {
        if (configured is { Count: > 0 })
        {
            return [.. configured.Select(IPAddress.Parse)];
        }

        return
        [
            .. NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.SupportsMulticast && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork
                    || a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal && !a.IsIPv6Multicast),
        ];
    }

    /// <summary>The group for the address's family, as an endpoint on the mDNS port (IPv6: scoped to the interface).</summary>
    internal static IPEndPoint GroupFor(IPAddress interfaceAddress) => interfaceAddress.AddressFamily == AddressFamily.InterNetwork
        ? new IPEndPoint(Group, Port)
        : new IPEndPoint(new IPAddress(Group6.GetAddressBytes(), InterfaceIndex(interfaceAddress)), Port);

    /// <summary>The index of the interface that has <paramref name="address"/>.</summary>
    internal static int InterfaceIndex(IPAddress address)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            if (properties.UnicastAddresses.Any(u => u.Address.Equals(address)))
            {
                return address.AddressFamily == AddressFamily.InterNetwork ? properties.GetIPv4Properties().Index : properties.GetIPv6Properties().Index;
            }
        }

        throw new ArgumentException($"no interface has the address {address}", nameof(address));
    }

    /// <summary>A UDP socket that sends mDNS out of <paramref name="interfaceAddress"/> and hears its own packets too.</summary>
    internal static void SendThrough(Socket socket, IPAddress interfaceAddress)
    {
        if (interfaceAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, interfaceAddress.GetAddressBytes());
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, InterfaceIndex(interfaceAddress));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, true);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
        }
    }
}
