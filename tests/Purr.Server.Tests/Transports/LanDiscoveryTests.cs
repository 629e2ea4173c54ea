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
        var output = await PurrTool.RunAsync(2, "servers", "--lan", "--interface", "nope");
        Assert.Contains("IPv4 or IPv6 address", output, StringComparison.Ordinal);
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

    [Fact]
    public async Task Over_IPv6_a_server_is_found_on_ff02_fb_in_a_network_namespace()
    {
        // Linux's loopback carries no IPv6 multicast, so the test makes a network namespace of its own with a veth pair
        // (fd00::1 on one end): nothing in it can leave the machine. purrd and purr both run inside it.
        using var data = new TestKit.TemporaryDirectory();
        var name = "purr-six-" + Guid.NewGuid().ToString("N")[..6];
        var purrd = typeof(Purr.Server.Host.PurrHost).Assembly.Location;
        var purr = Path.Combine(AppContext.BaseDirectory, "purr.dll");
        var log = Path.Combine(data.Path, "purrd.log");
        var script = $"""
            set -e
            ip link set lo up
            ip link add v0 type veth peer name v1
            ip link set v0 up && ip link set v1 up
            ip -6 addr add fd00::1/64 dev v0 nodad
            set +e
            dotnet '{purrd}' --urls 'http://[fd00::1]:0' --storage memory --data '{data.Path}' --Modules:0=mailboxes \
              --Lan:Announce=true --Lan:Interfaces:0=fd00::1 --Lan:Name={name} > '{log}' 2>&1 &
            server=$!
            for i in $(seq 1 40); do
              out=$(dotnet '{purr}' servers --lan --interface fd00::1 --wait 1 2>&1)
              case "$out" in *{name}*) echo "$out"; kill $server; exit 0;; esac
              sleep 0.5
            done
            echo "$out"; kill $server; cat '{log}'; exit 1
            """;
        var start = new System.Diagnostics.ProcessStartInfo("unshare", ["-n", "bash", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"not found over IPv6 (needs root for the namespace): {output} {errors}");
        Assert.Matches($@"{name}\tpurr://[A-Za-z0-9_-]{{43}}@\[fd00::1\]:\d+", output);
    }

    private static Task<RunningServer> StartAnnouncingAsync(string name) => RunningServer.StartAsync(settings: new Dictionary<string, string>
    {
        ["Lan:Announce"] = "true",
        ["Lan:Interfaces:0"] = "127.0.0.1",
        ["Lan:Name"] = name,
    });
}
