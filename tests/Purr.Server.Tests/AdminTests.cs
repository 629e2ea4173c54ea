using System.Text.Json;
using Purr.Client;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>purrctl against a real purrd over its admin socket, as an operator runs it.</summary>
public sealed class AdminTests
{
    private static readonly string Purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");

    [Fact]
    public async Task Status_limits_and_modules_come_over_the_socket_with_counts_and_nothing_about_anyone()
    {
        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path);
        using var key = Ed25519KeyPair.Generate();
        await using var client = await PurrConnection.ConnectAsync(purrd.Address);
        var first = await client.CreateMailboxAsync(key);
        var second = await client.CreateMailboxAsync(key);
        await client.SendAsync(first.SendId, "waiting"u8.ToArray());

        var (exit, output) = await RunAsync("--data", data.Path, "--json", "status");
        Assert.Equal(0, exit);
        var status = JsonDocument.Parse(output).RootElement;
        Assert.Contains("admin", status.GetProperty("modules").EnumerateArray().Select(m => m.GetString()));
        Assert.True(status.GetProperty("connections").GetProperty("open").GetInt32() >= 1);
        Assert.Equal(2, status.GetProperty("mailboxes").GetProperty("mailboxes").GetInt64());
        Assert.Equal(1, status.GetProperty("mailboxes").GetProperty("messagesWaiting").GetInt64());
        Assert.True(status.GetProperty("store").GetProperty("bytes").GetInt64() > 0);
        foreach (var id in new[] { first.ReceiveId, first.SendId, second.ReceiveId, second.SendId, key.PublicKey })
        {
            Assert.DoesNotContain(Convert.ToHexStringLower(id), output, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(id), output, StringComparison.Ordinal);
            Assert.DoesNotContain(Protocol.Base64Url.Encode(id), output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("127.0.0.1", output, StringComparison.Ordinal);

        var text = (await RunAsync("--data", data.Path, "status")).Output;
        Assert.Contains("mailboxes: mailboxes 2, messagesWaiting 1", text, StringComparison.Ordinal);

        var limits = JsonDocument.Parse((await RunAsync("--data", data.Path, "--json", "limits")).Output).RootElement;
        Assert.Equal(131072, limits.GetProperty("connections").GetProperty("MaxFrameBytes").GetInt32());
        Assert.Equal(512, limits.GetProperty("rooms").GetProperty("MaxMemberProfileBytes").GetInt32());
        Assert.Equal(128, limits.GetProperty("mailboxes").GetProperty("Quota").GetInt32());
        Assert.Equal("mailboxes\nrooms\ndirectory\nadmin\nfederation", (await RunAsync("--data", data.Path, "modules")).Output.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_socket_others_could_use_is_refused_and_a_stopped_purrd_is_said_so()
    {
        using var data = new TemporaryDirectory();
        var socket = Path.Combine(data.Path, "purrd.sock");
        using (var purrd = await PurrdProcess.StartAsync(data.Path))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            var (exit, output) = await RunAsync("--data", data.Path, "status");
            Assert.Equal(1, exit);
            Assert.Contains("refusing the admin socket", output, StringComparison.Ordinal);
            Assert.Contains("not 600", output, StringComparison.Ordinal);
            await purrd.SignalAsync("TERM");
            await purrd.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(File.Exists(socket), "purrd leaves no socket behind when it stops");
        var stopped = await RunAsync("--data", data.Path, "status");
        Assert.Equal(1, stopped.Exit);
        Assert.Contains("is purrd running", stopped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_says_whether_purrd_would_start_without_starting_it()
    {
        using var directory = new TemporaryDirectory();
        var data = Path.Combine(directory.Path, "data");
        var ok = await RunAsync("check", "--storage", "memory", "--data", data);
        Assert.Equal(0, ok.Exit);
        Assert.Contains("purrd would start", ok.Output, StringComparison.Ordinal);
        Assert.Contains("modules mailboxes, rooms, directory, admin", ok.Output, StringComparison.Ordinal);

        var typo = await RunAsync("check", "--storag", "memory");
        Assert.Equal(2, typo.Exit);
        Assert.Contains("did you mean '--storage'", typo.Output, StringComparison.Ordinal);
        var limit = await RunAsync("check", "--Limits:MaxFrameBytes=1");
        Assert.Equal(1, limit.Exit);
        Assert.Contains("Limits:MaxFrameBytes", limit.Output, StringComparison.Ordinal);
        var module = await RunAsync("check", "--Modules:0=rooms");
        Assert.Equal(1, module.Exit);
        Assert.Contains("rooms needs mailboxes", module.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data), "check created the data directory");
    }

    /// <summary>
    /// purrd itself refuses a peer of another user, whatever the socket's mode says: the socket is handed to
    /// "nobody" (uid 65534) and a Perl one-liner (perl-base is in every Debian) connects as that user. Acting
    /// as another user takes root, which CI has; as anyone else there is no second user to be.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_peer_of_another_user_is_refused_by_purrd_itself()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        using var data = new TemporaryDirectory();
        using var sockets = new TemporaryDirectory();
        File.SetUnixFileMode(sockets.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var socket = Path.Combine(sockets.Path, "purrd.sock");
        await using var server = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Admin:Socket"] = socket });
        var chown = await ProcessRun.RunAsync("chown", ["65534:65534", socket]);
        Assert.True(chown.Exit == 0, chown.Output);

        const string Ask = "use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die \"connect: $!\"; "
            + "print $s qq({\"command\":\"status\"}\n); print scalar <$s>;";
        var (exit, output) = await ProcessRun.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "perl", "-e", Ask, socket]);
        Assert.True(exit == 0, output);
        Assert.Contains("refused: the admin socket answers only purrd's own user", output, StringComparison.Ordinal);
        Assert.DoesNotContain("uptimeSeconds", output, StringComparison.Ordinal);

        // Its own user (root here) is still answered.
        var (ownExit, own) = await ProcessRun.RunAsync("perl", ["-e", Ask, socket]);
        Assert.Equal(0, ownExit);
        Assert.Contains("uptimeSeconds", own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_module_can_be_left_out()
    {
        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path, "--Modules:0=mailboxes", "--Modules:1=rooms");
        await using var client = await PurrConnection.ConnectAsync(purrd.Address);
        await client.PingAsync();
        Assert.False(File.Exists(Path.Combine(data.Path, "purrd.sock")));
    }

    private static Task<(int Exit, string Output)> RunAsync(params string[] args) => ProcessRun.RunAsync("dotnet", [Purrctl, .. args]);
}
