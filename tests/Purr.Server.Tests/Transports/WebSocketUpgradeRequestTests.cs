using System.Buffers;
using System.Text;
using Purr.Server.Transport;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// Which request heads the connection-level WebSocket upgrade takes (<see cref="WebSocketUpgradeRequest"/>): exactly the
/// plain, valid upgrades to /v1/ws; every other head is left to Kestrel, unread.
/// </summary>
public sealed class WebSocketUpgradeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Head(string requestLine = "GET /v1/ws HTTP/1.1", params string[] headers)
    {
        var lines = headers.Length > 0
            ? headers
            : ["Host: 127.0.0.1:8080", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"];
        return requestLine + "\r\n" + string.Join("\r\n", lines) + "\r\n\r\n";
    }

    private static (UpgradeParse Parse, WebSocketUpgradeRequest? Request, long Length) Parse(string head)
    {
        var parse = WebSocketUpgradeRequest.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)), out var request, out var length);
        return (parse, request, length);
    }

    [Fact]
    public void A_clients_upgrade_is_taken_with_its_host_origin_and_key_and_the_heads_exact_length()
    {
        var head = Head();
        var (parse, request, length) = Parse(head + "\x82\x05frame");
        Assert.Equal(UpgradeParse.Upgrade, parse);
        Assert.Equal(new WebSocketUpgradeRequest("127.0.0.1:8080", null, Key), request);
        Assert.Equal(head.Length, length);
    }

    [Fact]
    public void A_browsers_upgrade_with_its_extra_headers_a_query_and_mixed_case_is_taken()
    {
        var (parse, request, _) = Parse(Head(
            "GET /v1/ws?v=1 HTTP/1.1",
            "host:  chat.example.org ",
            "Connection: keep-alive, Upgrade",
            "Pragma: no-cache",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
            "UPGRADE: WebSocket",
            "Origin: https://chat.example.org",
            "sec-websocket-version: 13",
            $"Sec-WebSocket-Key:{Key}",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "Accept-Language: en"));
        Assert.Equal(UpgradeParse.Upgrade, parse);
        Assert.Equal(new WebSocketUpgradeRequest("chat.example.org", "https://chat.example.org", Key), request);
    }

    [Theory]
    [InlineData("GE")]
    [InlineData("GET /v1/")]
    [InlineData("GET /v1/ws HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET /v1/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n\r")]
    public void The_start_of_an_upgrade_waits_for_more(string start) => Assert.Equal(UpgradeParse.NeedMore, Parse(start).Parse);

    public static TheoryData<string> NotUpgrades => new()
    {
        "purr/v1\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /v1/ws HTTP/1.1\r\n",
        Head("GET /v1/wsx HTTP/1.1"),
        Head("GET /v1/ws/ HTTP/1.1"),
        Head("GET /v1/ws HTTP/1.0"),
        Head("GET /v1/ws HTTP/2"),
        Head("GET /v1/ws  HTTP/1.1"),
        Head("GET /v1/ws?a b HTTP/1.1"),
        Head("GET http://a/v1/ws HTTP/1.1"),
        // Missing, repeated or invalid required headers.
        Head(headers: ["Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Host: b", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: keep-alive", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: h2c", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: c2hvcnQ=", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 8"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}"]),
        Head(headers: ["Host: a", "Origin: x", "Origin: y", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        // A body, folded or malformed lines, bytes HTTP would refuse.
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "Content-Length: 5"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "Transfer-Encoding: chunked"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "X-Long: one", " folded"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "No colon"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "Bad Name: x"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", ": empty name"]),
        Head(headers: ["Host: a\rb", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a\0", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: \u00e9", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13"]),
        Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", "X-Bare: a\nb"]),
    };

    [Theory]
    [MemberData(nameof(NotUpgrades))]
    public void Anything_else_is_left_to_HTTP(string head) => Assert.Equal(UpgradeParse.NotUpgrade, Parse(head).Parse);

    [Fact]
    public void A_head_longer_than_the_limit_is_left_to_HTTP_whether_it_has_ended_or_not()
    {
        var padding = "X-Padding: " + new string('a', WebSocketUpgradeRequest.MaxHeadBytes);
        var full = Head(headers: ["Host: a", "Connection: Upgrade", "Upgrade: websocket", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", padding]);
        Assert.Equal(UpgradeParse.NotUpgrade, Parse(full).Parse);
        Assert.Equal(UpgradeParse.NotUpgrade, Parse(full[..WebSocketUpgradeRequest.MaxHeadBytes]).Parse);
        Assert.Equal(UpgradeParse.NeedMore, Parse(full[..(WebSocketUpgradeRequest.MaxHeadBytes - 1)]).Parse);
    }

    [Fact]
    public void A_head_split_across_pipe_segments_parses_as_one()
    {
        var bytes = Encoding.ASCII.GetBytes(Head());
        var first = new Segment(bytes.AsMemory(0, 7));
        var last = first.Append(bytes.AsMemory(7, 30)).Append(bytes.AsMemory(37));
        var parse = WebSocketUpgradeRequest.TryParse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var request, out var length);
        Assert.Equal(UpgradeParse.Upgrade, parse);
        Assert.Equal(Key, request!.Key);
        Assert.Equal(bytes.Length, length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
