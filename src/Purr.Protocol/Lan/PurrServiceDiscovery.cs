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

    /// <summary>The TXT key whose value is the server's address (with the host as seen on that network).</summary>
    public const string AddressKey = "address";

    /// <summary>
    /// The IPv4 addresses to announce or search on: <paramref name="configured"/> when given, else those of every
    /// interface that is up, not loopback and multicast-capable.
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
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork),
        ];
    }

    /// <summary>A UDP socket that sends mDNS out of <paramref name="interfaceAddress"/> and hears its own packets too.</summary>
    internal static void SendThrough(Socket socket, IPAddress interfaceAddress)
    {
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, interfaceAddress.GetAddressBytes());
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
    }
}
