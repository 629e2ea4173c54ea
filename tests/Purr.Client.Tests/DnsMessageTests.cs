using System.Net;
using Purr.Protocol.Lan;

namespace Purr.Client.Tests;

/// <summary>The multicast DNS messages of LAN discovery: written and read back, compressed names, and garbage refused.</summary>
public sealed class DnsMessageTests
{
    [Fact]
    public void A_response_is_written_and_read_back()
    {
        var message = new DnsMessage(7, true, [new DnsQuestion("_purr._tcp.local", DnsType.ServicePointer)],
            [DnsRecord.ServicePointer("_purr._tcp.local", "home._purr._tcp.local", 4500)],
            [
                DnsRecord.Srv("home._purr._tcp.local", 7878, "home.local", 120),
                DnsRecord.Txt("home._purr._tcp.local", ["txtvers=1", "address=purr://x@192.168.1.5:7878"], 4500),
                DnsRecord.Address("home.local", IPAddress.Parse("192.168.1.5"), 120),
                DnsRecord.Address("home.local", IPAddress.Parse("fd00::5"), 120),
            ]);
        var read = DnsMessage.TryDecode(message.Encode())!;
        Assert.True(read.IsResponse);
        Assert.Equal(7, read.Id);
        Assert.Equal("_purr._tcp.local", read.Questions.Single().Name);
        Assert.Equal(message.Answers[0].Data, read.Answers[0].Data);
        Assert.Equal(["txtvers=1", "address=purr://x@192.168.1.5:7878"], read.Additionals[1].TxtStrings());
        Assert.True(read.Additionals[1].CacheFlush);
        Assert.Equal(message.Additionals[0].Data, read.Additionals[0].Data);
        Assert.Equal(new byte[] { 192, 168, 1, 5 }, read.Additionals[2].Data);
        Assert.Equal(DnsType.Aaaa, read.Additionals[3].Type);
        Assert.Equal(IPAddress.Parse("fd00::5").GetAddressBytes(), read.Additionals[3].Data);
    }

    [Fact]
    public void Compressed_names_are_followed_and_pointer_loops_refused()
    {
        // Header, then a question "a.local" and an answer whose name is a pointer to it (offset 12).
        byte[] packet =
        [
            0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0,
            1, (byte)'a', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0, 0, 1, 0, 1,
            0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 1,
        ];
        var read = DnsMessage.TryDecode(packet)!;
        Assert.Equal("a.local", read.Answers.Single().Name);
        var loop = (byte[])packet.Clone();
        loop[25] = 0xC0;
        loop[26] = 25;
        Assert.Null(DnsMessage.TryDecode(loop));
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var random = new Random(19);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            _ = DnsMessage.TryDecode(bytes);
        }
    }
}
