using System.Net;
using System.Net.Sockets;

namespace Purr.Protocol.Lan;

/// <summary>A Purr server found on the local network: its DNS-SD instance name and the address its TXT record gave.</summary>
public sealed record LanServer(string Instance, PurrAddress Address);

/// <summary>
/// Finds Purr servers on the local network with one-shot multicast DNS queries (RFC 6762 section 5.1): a PTR
/// question for <c>_purr._tcp.local</c> from an ephemeral port on each interface (to 224.0.0.251, or ff02::fb for an
/// IPv6 address); responders answer to that port
/// directly. Nothing is cached and nothing is announced.
/// </summary>
public static class MdnsBrowser
{
    /// <exception cref="IOException">No interface could send the question.</exception>
    public static async Task<IReadOnlyList<LanServer>> BrowseAsync(
        IReadOnlyList<IPAddress> interfaces, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, LanServer>(StringComparer.OrdinalIgnoreCase);
        var query = new DnsMessage((ushort)Random.Shared.Next(1, ushort.MaxValue), false,
            [new DnsQuestion(PurrServiceDiscovery.ServiceType, DnsType.ServicePointer)], [], []).Encode();
        var sockets = new List<Socket>();
        try
        {
            var failures = new List<string>();
            foreach (var address in interfaces)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    socket.Bind(new IPEndPoint(address, 0));
                    PurrServiceDiscovery.SendThrough(socket, address);
                    await socket.SendToAsync(query, PurrServiceDiscovery.GroupFor(address), cancellationToken);
                    sockets.Add(socket);
                }
                catch (Exception e) when (e is SocketException or ArgumentException)
                {
                    // An interface without multicast (or gone): search on the others.
                    failures.Add($"{address}: {e.Message}");
                    socket.Dispose();
                }
            }

            if (sockets.Count == 0)
            {
                throw new IOException($"cannot send multicast DNS on any interface ({string.Join("; ", failures)})");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            await Task.WhenAll(sockets.Select(s => ListenAsync(s, found, timeout.Token)));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        return [.. found.Values.OrderBy(s => s.Instance, StringComparer.OrdinalIgnoreCase)];
    }

    private static async Task ListenAsync(Socket socket, Dictionary<string, LanServer> found, CancellationToken cancellationToken)
    {
        var buffer = new byte[DnsMessage.MaxBytes];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                var result = await socket.ReceiveFromAsync(
                    buffer, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), cancellationToken);
                length = result.ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            if (DnsMessage.TryDecode(buffer.AsSpan(0, length)) is not { IsResponse: true } response)
            {
                continue;
            }

            var records = response.Answers.Concat(response.Additionals).ToList();
            foreach (var txt in records.Where(r => r.Type == DnsType.Txt && r.Name.EndsWith(PurrServiceDiscovery.ServiceType, StringComparison.OrdinalIgnoreCase)))
            {
                var value = txt.TxtStrings().FirstOrDefault(s => s.StartsWith(PurrServiceDiscovery.AddressKey + "=", StringComparison.Ordinal));
                if (value is not null && PurrAddress.TryParse(value[(PurrServiceDiscovery.AddressKey.Length + 1)..], out var address, out _))
                {
                    var instance = txt.Name[..^(PurrServiceDiscovery.ServiceType.Length + 1)];
                    lock (found)
                    {
                        found[instance] = new LanServer(instance, address);
                    }
                }
            }
        }
    }
}
