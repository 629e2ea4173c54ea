using Purr.Client.Handles;

namespace Purr.Client.Tests;

/// <summary>How "name@host[:port]" is read (PROTOCOL.md section 14): links and malformed text are not handles.</summary>
public sealed class HandleNameTests
{
    [Theory]
    [InlineData("Alice@example.org", "alice", "example.org", 7878)]
    [InlineData("  bob.smith@127.0.0.1:5000 ", "bob.smith", "127.0.0.1", 5000)]
    [InlineData("carol@[::1]:7000", "carol", "[::1]", 7000)]
    [InlineData("dave@[::1]", "dave", "[::1]", 7878)]
    public void A_handle_gives_its_name_host_and_port(string text, string name, string host, int port)
    {
        Assert.True(HandleName.TryParse(text, out var handle));
        Assert.Equal((name, host, port), (handle.Name, handle.Host, handle.Port));
    }

    [Theory]
    [InlineData("purr:address/AAAA@x")]
    [InlineData("purr://key@host:1")]
    [InlineData("@example.org")]
    [InlineData("alice@")]
    [InlineData("alice@host:0")]
    [InlineData("alice@host:70000")]
    [InlineData("alice@host:port")]
    [InlineData("alice smith@host")]
    [InlineData("no-at-sign")]
    public void Links_and_malformed_text_are_not_handles(string text) => Assert.False(HandleName.TryParse(text, out _));

    [Fact]
    public void The_default_port_is_left_out_when_written()
    {
        Assert.Equal("alice@example.org", new HandleName("alice", "example.org", HandleName.DefaultPort).ToString());
        Assert.Equal("alice@example.org:5000", new HandleName("alice", "example.org", 5000).ToString());
    }
}
