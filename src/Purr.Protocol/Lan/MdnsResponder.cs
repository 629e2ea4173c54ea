using System.Net;
using System.Net.Sockets;

namespace Purr.Protocol.Lan;

/// <summary>
/// Announces one Purr server on the local network as a DNS-SD service over multicast DNS (RFC 6762, RFC 6763).
/// Listens on 5353 (shared with any other responder on the machine) on the chosen interfaces, answers PTR, SRV,
/// TXT and ANY questions about <c>_purr._tcp.local</c> and its own names, announces itself twice at start and says
/// goodbye (TTL 0) at stop. A one-shot query from another port gets a unicast answer with its id, as section 6.7
/// asks. The TXT record's address names the interface the question came in on, so it is reachable from there.
/// </summary>
public sealed class MdnsResponder : IAsyncDisposable
{
    private const uint ServiceTtl = 4500;
    private const uint HostTtl = 120;
    private const uint LegacyTtl = 10;

    private readonly Socket socket;
    private readonly IReadOnlyList<IPAddress> interfaces;
    private readonly Dictionary<int, IPAddress> byIndex;
    private readonly Func<IPAddress, PurrAddress> addressOn;
    private readonly ushort port;
    private readonly string instanceName;
    private readonly string hostName;
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    /// <param name="instance">The instance label (what people see), 1–63 bytes.</param>
    /// <param name="addressOn">The server's address as reachable through one interface's address.</param>
    public MdnsResponder(string instance, ushort port, IReadOnlyList<IPAddress> interfaces, Func<IPAddress, PurrAddress> addressOn)
    {
        this.interfaces = interfaces;
        this.addressOn = addressOn;
        this.port = port;
        instanceName = $"{instance}.{PurrServiceDiscovery.ServiceType}";
        hostName = $"{instance}.local";
        byIndex = interfaces.ToDictionary(InterfaceIndex, a => a);
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, PurrServiceDiscovery.Port));
        foreach (var address in interfaces)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(PurrServiceDiscovery.Group, address));
        }
    }

    public string InstanceName => instanceName;

    public void Start() => loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            await stopping.CancelAsync();
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await AnnounceAsync(ttlScale: 0);
        }

        socket.Dispose();
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        await AnnounceAsync(ttlScale: 1);
        Task second = Task.Delay(TimeSpan.FromSeconds(1), stopping.Token).ContinueWith(_ => AnnounceAsync(1), TaskScheduler.Default).Unwrap();
        var buffer = new byte[DnsMessage.MaxBytes];
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            if (!byIndex.TryGetValue(received.PacketInformation.Interface, out var on)
                || DnsMessage.TryDecode(buffer.AsSpan(0, received.ReceivedBytes)) is not { IsResponse: false } query
                || !query.Questions.Any(Concerns))
            {
                continue;
            }

            var source = (IPEndPoint)received.RemoteEndPoint;
            var legacy = source.Port != PurrServiceDiscovery.Port;
            var (answers, additionals) = Records(on, legacy ? LegacyTtl : null);
            var response = new DnsMessage(legacy ? query.Id : (ushort)0, true, legacy ? query.Questions : [], answers, additionals).Encode();
            try
            {
                PurrServiceDiscovery.SendThrough(socket, on);
                await socket.SendToAsync(
                    response, legacy ? source : new IPEndPoint(PurrServiceDiscovery.Group, PurrServiceDiscovery.Port), stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The network went away or we are stopping; the next question gets the next answer.
            }
        }

        await second.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private bool Concerns(DnsQuestion question) =>
        question.Type is DnsType.ServicePointer or DnsType.Any && DnsMessage.SameName(question.Name, PurrServiceDiscovery.ServiceType)
        || question.Type is DnsType.Srv or DnsType.Txt or DnsType.Any && DnsMessage.SameName(question.Name, instanceName)
        || question.Type is DnsType.A or DnsType.Any && DnsMessage.SameName(question.Name, hostName);

    /// <summary>PTR as the answer; SRV, TXT and A as additional records (RFC 6763 section 12.1).</summary>
    private (List<DnsRecord> Answers, List<DnsRecord> Additionals) Records(IPAddress on, uint? ttlCap, uint ttlScale = 1)
    {
        uint Ttl(uint ttl) => Math.Min(ttl, ttlCap ?? ttl) * ttlScale;
        var legacy = ttlCap is not null;
        var address = addressOn(on).WithoutTransports().ToString();
        List<DnsRecord> answers = [DnsRecord.ServicePointer(PurrServiceDiscovery.ServiceType, instanceName, Ttl(ServiceTtl))];
        List<DnsRecord> additionals =
        [
            DnsRecord.Srv(instanceName, port, hostName, Ttl(HostTtl)) with { CacheFlush = !legacy },
            DnsRecord.Txt(instanceName, ["txtvers=1", $"{PurrServiceDiscovery.AddressKey}={address}"], Ttl(ServiceTtl)) with { CacheFlush = !legacy },
            DnsRecord.A(hostName, on, Ttl(HostTtl)) with { CacheFlush = !legacy },
        ];
        return (answers, additionals);
    }

    /// <summary>An unsolicited response on every interface: an announcement, or a goodbye with every TTL 0.</summary>
    private async Task AnnounceAsync(uint ttlScale)
    {
        foreach (var address in interfaces)
        {
            var (answers, additionals) = Records(address, null, ttlScale);
            try
            {
                PurrServiceDiscovery.SendThrough(socket, address);
                await socket.SendToAsync(new DnsMessage(0, true, [], answers, additionals).Encode(), new IPEndPoint(PurrServiceDiscovery.Group, PurrServiceDiscovery.Port));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Announcements are a courtesy; answers to questions are what matters.
            }
        }
    }

    private static int InterfaceIndex(IPAddress address)
    {
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            if (properties.UnicastAddresses.Any(u => u.Address.Equals(address)))
            {
                return properties.GetIPv4Properties().Index;
            }
        }

        throw new ArgumentException($"no interface has the address {address}", nameof(address));
    }
}
