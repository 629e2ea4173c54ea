using System.Net;
using System.Net.Sockets;

namespace Purr.TestKit;

/// <summary>
/// Ports a test names before something listens on them (a purrd started with --urls, a broker, a dead address).
/// </summary>
/// <remarks>
/// Binding port 0 and releasing it is not enough: the kernel hands that port out again to the next process that binds
/// port 0 or connects out (every purrd the tests start with <c>--urls http://127.0.0.1:0</c>, every client socket),
/// and CI once lost a test to exactly that. So these ports come from below Linux's ephemeral range (32768 and up),
/// which the kernel never picks by itself, starting at a place that differs per test process (several test
/// assemblies run at once) and checked free on both loopbacks before they are handed out.
/// </remarks>
public static class FreePorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static int next = First + (Environment.ProcessId * 97 % (Last - First));

    /// <summary>A loopback port nothing listens on now and the kernel will not pick for port-0 binds.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Last - First; tries++)
        {
            var port = First + ((Interlocked.Increment(ref next) - First) % (Last - First));
            if (Bindable(IPAddress.Loopback, port) && Bindable(IPAddress.IPv6Loopback, port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }

    private static bool Bindable(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            // AddressNotAvailable: a machine without IPv6 loopback; the IPv4 check decides.
            return e.SocketErrorCode == SocketError.AddressNotAvailable;
        }
    }
}
