using Purr.Protocol;

namespace Purr.Client.Tests;

/// <summary>Issue 19, transport addresses: purr:// addresses that list further endpoints, parsed, written and compared.</summary>
public sealed class TransportAddressTests
{
    private const string Fingerprint = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    [Fact]
    public void An_address_lists_its_transports_in_order_after_its_WebSocket()
    {
        var text = $"purr://{Fingerprint}@example.org:7878?transport=tcp://example.org:7879&transport=mqtt://broker.example.org:1883/purr/abc&transport=unix:/run/purr/purrd.sock";
        var address = PurrAddress.Parse(text);
        Assert.Equal(text, address.ToString());
        Assert.Equal(
            ["ws://example.org:7878/v1/ws", "tcp://example.org:7879", "mqtt://broker.example.org:1883/purr/abc", "unix:/run/purr/purrd.sock"],
            address.Endpoints().Select(e => e.ToString()));
        Assert.Equal([TransportKind.Tcp, TransportKind.Mqtt, TransportKind.Unix], address.Transports.Select(t => t.Kind));
        Assert.Equal("wss://example.org:7878/v1/ws", address.Endpoints(tls: true).First().ToString());
    }

    [Fact]
    public void Transports_do_not_change_which_server_an_address_names()
    {
        var plain = PurrAddress.Parse($"purr://{Fingerprint}@example.org:7878");
        var listed = PurrAddress.Parse($"purr://{Fingerprint}@example.org:7878?transport=tcp://10.0.0.1:7879");
        Assert.Equal(plain, listed);
        Assert.Equal(plain.GetHashCode(), listed.GetHashCode());
        Assert.Equal(plain.ToString(), listed.WithoutTransports().ToString());
        Assert.Empty(plain.Transports);
    }

    [Fact]
    public void IPv6_hosts_default_ports_and_escaped_values_are_read()
    {
        var address = PurrAddress.Parse($"purr://{Fingerprint}@[::1]:7878?transport=tcp://[::1]&transport=mqtt%3A%2F%2F[::1]%2Fpurr%2Fx");
        Assert.Equal("tcp://[::1]:7878", address.Transports[0].ToString());
        Assert.Equal("::1", address.Transports[0].Host);
        Assert.Equal("mqtt://[::1]:1883/purr/x", address.Transports[1].ToString());
        Assert.Equal("ws://[::1]:7878/v1/ws", address.Endpoints().First().ToString());
        Assert.Equal(address.ToString(), PurrAddress.Parse(address.ToString()).ToString());
    }

    [Fact]
    public void Unknown_transports_and_other_parameters_are_skipped_for_later_versions()
    {
        var address = PurrAddress.Parse($"purr://{Fingerprint}@example.org:7878?transport=udp://example.org:41325&foo=bar&transport=tcp://example.org:1");
        Assert.Equal(["tcp://example.org:1"], address.Transports.Select(t => t.ToString()));
    }

    [Theory]
    [InlineData("transport=tcp://example.org:1/path", "no path")]
    [InlineData("transport=mqtt://broker:1883", "topic prefix")]
    [InlineData("transport=mqtt://broker:1883/purr//x", "topic prefix")]
    [InlineData("transport=mqtt://broker:1883/purr/+", "topic prefix")]
    [InlineData("transport=unix:relative/path", "absolute")]
    [InlineData("transport=tcp://user@example.org:1", "not a transport URL")]
    [InlineData("transport=tcp://example.org:99999", "not a transport URL")]
    public void A_malformed_known_transport_makes_the_address_invalid(string query, string expected)
    {
        Assert.False(PurrAddress.TryParse($"purr://{Fingerprint}@example.org:7878?{query}", out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_lists_at_most_eight_transports()
    {
        var eight = string.Join('&', Enumerable.Range(1, 8).Select(i => $"transport=tcp://example.org:{i}"));
        Assert.True(PurrAddress.TryParse($"purr://{Fingerprint}@example.org:7878?{eight}", out _, out _));
        Assert.False(PurrAddress.TryParse($"purr://{Fingerprint}@example.org:7878?{eight}&transport=tcp://example.org:9", out _, out var error));
        Assert.Contains("at most 8", error, StringComparison.Ordinal);
    }
}
