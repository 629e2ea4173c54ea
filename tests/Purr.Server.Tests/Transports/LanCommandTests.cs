using System.Diagnostics;
using System.Text.Json;
using Purr.Protocol;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// Issue 19, `purr lan`: two people whose usual server cannot be reached run a mailbox server inside the CLI, find it
/// on the (loopback) network, talk end to end through it, and later move to their usual server.
/// </summary>
public sealed class LanCommandTests
{
    private static readonly string Purr = Path.Combine(AppContext.BaseDirectory, "purr.dll");

    [Fact]
    public async Task Two_CLIs_talk_through_purr_lan_with_no_other_server_running_then_carry_on_over_their_usual_server()
    {
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        var bob = Path.Combine(home.Path, "bob");
        // Their usual server is down today (no internet): it ran once, so they know its address, and comes back later
        // with the same key and port.
        using var usualData = new TemporaryDirectory();
        var usualSettings = new Dictionary<string, string> { ["urls"] = $"http://127.0.0.1:{FreePorts.Next()}" };
        string usualAddress;
        await using (var once = await RunningServer.StartAsync(dataDirectory: usualData.Path, settings: usualSettings))
        {
            usualAddress = once.Address.ToString();
        }

        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", usualAddress, "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", usualAddress, "--display-name", "Bob");
        var name = "alice-lan-" + Guid.NewGuid().ToString("N")[..6];

        using var lan = StartLan(alice, name);
        var lanAddress = await ReadLanAddressAsync(lan);
        Assert.StartsWith("purr://", lanAddress, StringComparison.Ordinal);
        Assert.Contains("@127.0.0.1:", lanAddress, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(alice, "lan")));

        var nearby = await PurrTool.RunAsync(0, "servers", "--lan", "--interface", "127.0.0.1", "--wait", "2");
        Assert.Contains($"{name}\t{lanAddress}", nearby, StringComparison.Ordinal);

        var invite = await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob", "--server", lanAddress);
        var link = JsonDocument.Parse(invite).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice", "--server", lanAddress);
        Assert.Contains("\"type\":\"contact\"", await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "receive", "--json");
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "hello across the room");
        Assert.Contains("hello across the room", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);

        // Later, with the usual server back: both move their mailboxes there (the notice goes through the LAN server).
        await using var usual = await RunningServer.StartAsync(dataDirectory: usualData.Path, settings: usualSettings);
        Assert.Equal(usualAddress, usual.Address.ToString());
        await PurrTool.RunAsync(0, "--profile", alice, "move", "bob", "--server", usualAddress);
        await PurrTool.RunAsync(0, "--profile", bob, "move", "alice", "--server", usualAddress);
        for (var round = 0; round < 2; round++)
        {
            // Each side reads the other's move and its acknowledgement, then retires its LAN mailbox.
            await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "2", "--json");
            await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "2", "--json");
        }

        lan.Kill(entireProcessTree: true);
        await lan.WaitForExitAsync();

        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "back on the usual server");
        Assert.Contains("back on the usual server", await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "and no LAN needed");
        Assert.Contains("and no LAN needed", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10", "--json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purr_lan_keeps_its_key_across_runs_and_refuses_bad_options()
    {
        using var home = new TemporaryDirectory();
        string first;
        using (var lan = StartLan(home.Path, "keeps-" + Guid.NewGuid().ToString("N")[..6]))
        {
            first = await ReadLanAddressAsync(lan);
            lan.Kill(entireProcessTree: true);
            await lan.WaitForExitAsync();
        }

        using (var again = StartLan(home.Path, "keeps-again"))
        {
            var second = await ReadLanAddressAsync(again);
            Assert.Equal(PurrAddress.Parse(first).Fingerprint, PurrAddress.Parse(second).Fingerprint);
            again.Kill(entireProcessTree: true);
            await again.WaitForExitAsync();
        }

        Assert.Contains("IPv4 or IPv6 address", await PurrTool.RunAsync(2, "--profile", home.Path, "lan", "--interface", "nope"), StringComparison.Ordinal);
        Assert.Contains("0 to 65535", await PurrTool.RunAsync(2, "--profile", home.Path, "lan", "--port", "70000"), StringComparison.Ordinal);
    }

    private static Process StartLan(string profile, string name)
    {
        var start = new ProcessStartInfo("dotnet", [Purr, "--profile", profile, "lan", "--port", "0", "--interface", "127.0.0.1", "--name", name])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PURR_PASSPHRASE"] = "correct horse battery";
        return Process.Start(start)!;
    }

    private static async Task<string> ReadLanAddressAsync(Process lan)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await lan.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("LAN server: ", StringComparison.Ordinal))
            {
                _ = lan.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = lan.StandardError.ReadToEndAsync(CancellationToken.None);
                return line["LAN server: ".Length..];
            }
        }

        throw new InvalidOperationException("purr lan did not start: " + await lan.StandardError.ReadToEndAsync(CancellationToken.None));
    }
}
