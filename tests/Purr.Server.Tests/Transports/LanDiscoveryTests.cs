using System.Net;
using Purr.Client;
using Purr.Protocol;
using Purr.Protocol.Lan;
using Purr.Server.Tests.Messaging;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// Issue 19, LAN discovery: purrd announces itself as _purr._tcp.local over multicast DNS (off by default), and
/// `purr servers --lan` and the client library find it, on the loopback interface only (nothing leaves the machine).
/// </summary>
public sealed class LanDiscoveryTests
{
    private static readonly IPAddress[] Loopback = [IPAddress.Loopback];

    [Fact]
    public async Task An_announcing_server_is_found_on_the_loopback_interface_and_reached_by_the_address_it_gave()
    {
        var name = "purr-test-" + Guid.NewGuid().ToString("N")[..8];
        await using (var server = await StartAnnouncingAsync(name))
        {
            var found = (await MdnsBrowser.BrowseAsync(Loopback, TimeSpan.FromSeconds(2))).SingleOrDefault(s => s.Instance == name);
            Assert.NotNull(found);
            Assert.Equal(server.Address, found.Address);
            Assert.Equal("127.0.0.1", found.Address.Host);
            await using var connection = await PurrConnection.ConnectAsync(found.Address);
            await connection.PingAsync();

            var output = await PurrTool.RunAsync(0, "servers", "--lan", "--interface", "127.0.0.1", "--wait", "2");
            Assert.Contains($"{name}\t{server.Address}", output, StringComparison.Ordinal);
        }

        // Stopped: nobody answers for it any more.
        Assert.DoesNotContain(await MdnsBrowser.BrowseAsync(Loopback, TimeSpan.FromSeconds(1.5)), s => s.Instance == name);
    }

    [Fact]
    public async Task A_server_does_not_announce_itself_unless_told_to()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Lan:Interfaces:0"] = "127.0.0.1" });
        var found = await MdnsBrowser.BrowseAsync(Loopback, TimeSpan.FromSeconds(1.5));
        Assert.DoesNotContain(found, s => s.Address.Equals(server.Address));
    }

    [Fact]
    public async Task Bad_LAN_settings_stop_the_start_and_purr_refuses_a_bad_interface()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Lan:Interfaces:0"] = "not-an-address",
        }));
        Assert.Contains("Lan:Interfaces", error.Message, StringComparison.Ordinal);
        var output = await PurrTool.RunAsync(2, "servers", "--lan", "--interface", "::1");
        Assert.Contains("IPv4 address", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purr_servers_lists_the_servers_a_profile_uses_with_their_reachability()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TestKit.TemporaryDirectory();
        await PurrTool.RunAsync(0, "--profile", home.Path, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        var output = await PurrTool.RunAsync(0, "--profile", home.Path, "servers");
        Assert.Contains($"{server.Address} (home)\treachable via ws://127.0.0.1:{server.Address.Port}/v1/ws", output, StringComparison.Ordinal);
    }

    private static Task<RunningServer> StartAnnouncingAsync(string name) => RunningServer.StartAsync(settings: new Dictionary<string, string>
    {
        ["Lan:Announce"] = "true",
        ["Lan:Interfaces:0"] = "127.0.0.1",
        ["Lan:Name"] = name,
    });
}
