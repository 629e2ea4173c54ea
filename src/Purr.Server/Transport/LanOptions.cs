using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace Purr.Server.Transport;

/// <summary>Announcing the server on the local network with DNS-SD over multicast DNS (section "Lan"; off by default).</summary>
public sealed class LanOptions : IValidatableObject
{
    public const string Section = "Lan";

    /// <summary>Answer `_purr._tcp.local` questions on the local network, so `purr servers --lan` finds this server.</summary>
    public bool Announce { get; set; }

    /// <summary>
    /// The IPv4 or IPv6 addresses of the interfaces to announce on; empty: the IPv4 and global IPv6 addresses of every
    /// interface that is up, not loopback, multicast-capable.
    /// </summary>
    public string[] Interfaces { get; set; } = [];

    /// <summary>The instance name people see (one DNS label, no dots); empty: purr- and the start of the server's fingerprint.</summary>
    public string Name { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var address in Interfaces)
        {
            if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                yield return new ValidationResult($"Lan:Interfaces: '{address}' is not an IPv4 or IPv6 address");
            }
        }

        if (Name.Contains('.', StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(Name) > 40)
        {
            yield return new ValidationResult("Lan:Name is one label of at most 40 bytes, without dots");
        }
    }
}
