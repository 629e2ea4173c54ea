using System.Net;
using System.Net.Sockets;

namespace Purr.Protocol.Lan;

/// <summary>
/// Announces one Purr server on the local network as a DNS-SD service over multicast DNS (RFC 6762, RFC 6763),
/// over IPv4 (224.0.0.251) and IPv6 (ff02::fb) as the chosen addresses say. Listens on 5353 (shared with any other
/// responder on the machine) on the chosen interfaces, answers PTR, SRV, TXT, A, AAAA and ANY questions about <c>_purr._tcp.local</c> and its own names, announces itself twice at start and says
/// goodbye (TTL 0) at stop. A one-shot query from another port gets a unicast answer with its id, as section 6.7
/// asks. The TXT record's address names the interface the question came in on, so it is reachable from there.
/// </summary>
public sealed class MdnsResponder : IAsyncDisposable
{
    private const uint ServiceTtl = 4500;
    private const uint HostTtl = 120;
    private const uint LegacyTtl = 10;

    private readonly List<Socket> sockets = [];
    private readonly IReadOnlyList<IPAddress> interfaces;
    private readonly Dictionary<(AddressFamily Family, int Index), IPAddress> byIndex;
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
        byIndex = interfaces.ToDictionary(a => (a.AddressFamily, PurrServiceDiscovery.InterfaceIndex(a)), a => a);
        // One socket per address family on 5353, shared with any other responder (SO_REUSEADDR), in the group on each interface.
        foreach (var family in interfaces.Select(a => a.AddressFamily).Distinct())
        {
            var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            sockets.Add(socket);
            var level = family == AddressFamily.InterNetwork ? SocketOptionLevel.IP : SocketOptionLevel.IPv6;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetSocketOption(level, SocketOptionName.PacketInformation, true);
            if (family == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, PurrServiceDiscovery.Port));
            foreach (var address in interfaces.Where(a => a.AddressFamily == family))
            {
                if (family == AddressFamily.InterNetwork)
                {
                    socket.SetSocketOption(level, SocketOptionName.AddMembership, new MulticastOption(PurrServiceDiscovery.Group, address));
                }
                else
                {
                    socket.SetSocketOption(level, SocketOptionName.AddMembership,
                        new IPv6MulticastOption(PurrServiceDiscovery.Group6, PurrServiceDiscovery.InterfaceIndex(address)));
                }
            }
        }
    }

    public string InstanceName => instanceName;

    public void Start() => loop = Task.WhenAll(sockets.Select(socket => Task.Run(() => RunAsync(socket))));

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            await stopping.CancelAsync();
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await AnnounceAsync(ttlScale: 0);
        }

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        stopping.Dispose();
    }

    private async Task RunAsync(Socket socket)
    {
        await AnnounceAsync(ttlScale: 1, socket.AddressFamily);
        Task second = Task.Delay(TimeSpan.FromSeconds(1), stopping.Token).ContinueWith(_ => AnnounceAsync(1, socket.AddressFamily), TaskScheduler.Default).Unwrap();
        var buffer = new byte[DnsMessage.MaxBytes];
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(
                    buffer, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            if (!byIndex.TryGetValue((socket.AddressFamily, received.PacketInformation.Interface), out var on)
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
                await socket.SendToAsync(response, legacy ? source : PurrServiceDiscovery.GroupFor(on), stopping.Token);
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
        || question.Type is DnsType.A or DnsType.Aaaa or DnsType.Any && DnsMessage.SameName(question.Name, hostName);

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
            DnsRecord.Address(hostName, on, Ttl(HostTtl)) with { CacheFlush = !legacy },
        ];
        return (answers, additionals);
    }

    /// <summary>An unsolicited response on every interface (of one family, or all): an announcement, or a goodbye with every TTL 0.</summary>
    private async Task AnnounceAsync(uint ttlScale, AddressFamily? family = null)
    {
        foreach (var address in interfaces.Where(a => family is null || a.AddressFamily == family))
        {
            var (answers, additionals) = Records(address, null, ttlScale);
            var socket = sockets.First(s => s.AddressFamily == address.AddressFamily);
            try
            {
                PurrServiceDiscovery.SendThrough(socket, address);
                await socket.SendToAsync(new DnsMessage(0, true, [], answers, additionals).Encode(), PurrServiceDiscovery.GroupFor(address));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Announcements are a courtesy; answers to questions are what matters.
            }
        }
    }
}
