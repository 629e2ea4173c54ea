using System.Buffers.Binary;
using System.Text;

namespace Purr.Protocol.Lan;

/// <summary>The DNS record types DNS-SD over multicast DNS uses (RFC 1035, RFC 2782, RFC 6763).</summary>
public enum DnsType : ushort
{
    A = 1,
    /// <summary>PTR: from a service type to its instances.</summary>
    ServicePointer = 12,
    Txt = 16,
    /// <summary>An IPv6 address (RFC 3596).</summary>
    Aaaa = 28,
    Srv = 33,
    Any = 255,
}

public sealed record DnsQuestion(string Name, DnsType Type, bool UnicastResponse = false);

/// <summary>One resource record; <see cref="Data"/> is the RDATA as it goes on the wire.</summary>
public sealed record DnsRecord(string Name, DnsType Type, uint Ttl, byte[] Data, bool CacheFlush = false)
{
    public static DnsRecord ServicePointer(string name, string target, uint ttl) => new(name, DnsType.ServicePointer, ttl, DnsMessage.EncodeName(target));

    public static DnsRecord Srv(string name, ushort port, string target, uint ttl)
    {
        var targetBytes = DnsMessage.EncodeName(target);
        var data = new byte[6 + targetBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(4), port);
        targetBytes.CopyTo(data, 6);
        return new DnsRecord(name, DnsType.Srv, ttl, data, CacheFlush: true);
    }

    /// <summary>TXT strings (each at most 255 bytes), RFC 6763 section 6.</summary>
    public static DnsRecord Txt(string name, IEnumerable<string> strings, uint ttl)
    {
        var data = new List<byte>();
        foreach (var text in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            if (bytes.Length > 255)
            {
                throw new ArgumentException("a TXT string is at most 255 bytes", nameof(strings));
            }

            data.Add((byte)bytes.Length);
            data.AddRange(bytes);
        }

        return new DnsRecord(name, DnsType.Txt, ttl, [.. data], CacheFlush: true);
    }

    /// <summary>An A record for an IPv4 address, AAAA for an IPv6 one.</summary>
    public static DnsRecord Address(string name, System.Net.IPAddress address, uint ttl) =>
        new(name, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? DnsType.A : DnsType.Aaaa, ttl, address.GetAddressBytes(), CacheFlush: true);

    /// <summary>The strings of a TXT record; empty when it is malformed.</summary>
    public IReadOnlyList<string> TxtStrings()
    {
        var strings = new List<string>();
        for (var i = 0; i < Data.Length;)
        {
            var length = Data[i];
            if (i + 1 + length > Data.Length)
            {
                return [];
            }

            strings.Add(Encoding.UTF8.GetString(Data, i + 1, length));
            i += 1 + length;
        }

        return strings;
    }
}

/// <summary>
/// A DNS message in the wire format (RFC 1035 section 4) as multicast DNS uses it (RFC 6762): enough for DNS-SD
/// discovery of Purr servers. Names are written without compression (always legal) and read with it.
/// </summary>
public sealed record DnsMessage(ushort Id, bool IsResponse, IReadOnlyList<DnsQuestion> Questions, IReadOnlyList<DnsRecord> Answers, IReadOnlyList<DnsRecord> Additionals)
{
    /// <summary>mDNS packets stay within one Ethernet frame's worth unless they must not (RFC 6762 section 17).</summary>
    public const int MaxBytes = 9000;

    private const ushort ResponseFlags = 0x8400; // QR and AA
    private const ushort ClassIn = 1;
    private const ushort TopBit = 0x8000;

    public byte[] Encode()
    {
        var bytes = new List<byte>(512);
        Append16(bytes, Id);
        Append16(bytes, IsResponse ? ResponseFlags : (ushort)0);
        Append16(bytes, (ushort)Questions.Count);
        Append16(bytes, (ushort)Answers.Count);
        Append16(bytes, 0);
        Append16(bytes, (ushort)Additionals.Count);
        foreach (var question in Questions)
        {
            bytes.AddRange(EncodeName(question.Name));
            Append16(bytes, (ushort)question.Type);
            Append16(bytes, (ushort)(ClassIn | (question.UnicastResponse ? TopBit : 0)));
        }

        foreach (var record in Answers.Concat(Additionals))
        {
            bytes.AddRange(EncodeName(record.Name));
            Append16(bytes, (ushort)record.Type);
            Append16(bytes, (ushort)(ClassIn | (record.CacheFlush ? TopBit : 0)));
            Append16(bytes, (ushort)(record.Ttl >> 16));
            Append16(bytes, (ushort)record.Ttl);
            Append16(bytes, (ushort)record.Data.Length);
            bytes.AddRange(record.Data);
        }

        return [.. bytes];
    }

    /// <summary>The message, or null for anything malformed (a multicast socket hears whatever the network sends).</summary>
    public static DnsMessage? TryDecode(ReadOnlySpan<byte> packet)
    {
        try
        {
            var reader = new Reader(packet.ToArray());
            var id = reader.U16();
            var flags = reader.U16();
            var (questionCount, answerCount, authorityCount, additionalCount) = (reader.U16(), reader.U16(), reader.U16(), reader.U16());
            var questions = new List<DnsQuestion>();
            for (var i = 0; i < questionCount; i++)
            {
                var name = reader.Name();
                var type = (DnsType)reader.U16();
                var @class = reader.U16();
                questions.Add(new DnsQuestion(name, type, (@class & TopBit) != 0));
            }

            var answers = Records(reader, answerCount);
            _ = Records(reader, authorityCount);
            var additionals = Records(reader, additionalCount);
            return new DnsMessage(id, (flags & 0x8000) != 0, questions, answers, additionals);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    /// <summary>A name as labels (each 1–63 bytes of UTF-8) ending with the root.</summary>
    public static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var labelBytes = Encoding.UTF8.GetBytes(label);
            if (labelBytes.Length is 0 or > 63)
            {
                throw new ArgumentException($"a DNS label is 1-63 bytes: '{label}'", nameof(name));
            }

            bytes.Add((byte)labelBytes.Length);
            bytes.AddRange(labelBytes);
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static bool SameName(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static List<DnsRecord> Records(Reader reader, int count)
    {
        var records = new List<DnsRecord>();
        for (var i = 0; i < count; i++)
        {
            var name = reader.Name();
            var type = (DnsType)reader.U16();
            var @class = reader.U16();
            var ttl = ((uint)reader.U16() << 16) | reader.U16();
            var length = reader.U16();
            var start = reader.Position;
            byte[] data = type switch
            {
                // Names inside RDATA may be compressed: store them expanded, as this class writes them.
                DnsType.ServicePointer => EncodeName(reader.Name()),
                DnsType.Srv => [.. reader.Bytes(6), .. EncodeName(reader.Name())],
                _ => reader.Bytes(length),
            };
            reader.Position = start + length;
            records.Add(new DnsRecord(name, type, ttl, data, (@class & TopBit) != 0));
        }

        return records;
    }

    private static void Append16(List<byte> bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }

    private sealed class Reader(byte[] packet)
    {
        public int Position { get; set; }

        public ushort U16()
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(Position, 2));
            Position += 2;
            return value;
        }

        public byte[] Bytes(int count)
        {
            var bytes = packet.AsSpan(Position, count).ToArray();
            Position += count;
            return bytes;
        }

        /// <summary>A name, following compression pointers (at most 32, so a loop cannot hang the reader).</summary>
        public string Name()
        {
            var labels = new List<string>();
            var position = Position;
            var jumped = false;
            for (var hops = 0; ; hops++)
            {
                var length = packet[position];
                if ((length & 0xC0) == 0xC0)
                {
                    if (hops > 32)
                    {
                        throw new FormatException("a name's compression pointers loop");
                    }

                    if (!jumped)
                    {
                        Position = position + 2;
                    }

                    position = ((length & 0x3F) << 8) | packet[position + 1];
                    jumped = true;
                    continue;
                }

                if (length == 0)
                {
                    if (!jumped)
                    {
                        Position = position + 1;
                    }

                    return string.Join('.', labels);
                }

                labels.Add(Encoding.UTF8.GetString(packet, position + 1, length));
                position += 1 + length;
            }
        }
    }
}
