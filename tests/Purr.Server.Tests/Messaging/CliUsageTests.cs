using System.Collections;
using System.Diagnostics;
using System.Text.Json;
using Purr.TestKit;
using QRCoder;

namespace Purr.Server.Tests.Messaging;

/// <summary>The `purr` tool's help, its refusals, and what it prints, each run as a separate process.</summary>
public sealed class CliUsageTests
{
    [Fact]
    public async Task Every_command_explains_itself_and_mistakes_get_a_suggestion()
    {
        var none = await PurrTool.RunAsync(2);
        Assert.Contains("Commands:", none, StringComparison.Ordinal);
        Assert.Contains("init", none, StringComparison.Ordinal);

        var init = await PurrTool.RunAsync(0, "init", "--help");
        Assert.Contains("create a profile", init, StringComparison.Ordinal);
        Assert.Contains("--server", init, StringComparison.Ordinal);
        Assert.Contains("Commands:", await PurrTool.RunAsync(0, "-h"), StringComparison.Ordinal);
        Assert.Contains("join a room by its link", await PurrTool.RunAsync(0, "help", "room", "join"), StringComparison.Ordinal);
        Assert.Contains("join a room by its link", await PurrTool.RunAsync(0, "room", "join", "--help"), StringComparison.Ordinal);

        var typo = await PurrTool.RunAsync(2, "inti");
        Assert.Contains("Did you mean", typo, StringComparison.Ordinal);
        Assert.Contains("init", typo, StringComparison.Ordinal);
        var option = await PurrTool.RunAsync(2, "init", "--serve", "x");
        Assert.Contains("--server", option, StringComparison.Ordinal);
        Assert.Contains("see 'purr init --help'", option, StringComparison.Ordinal);
        Assert.Contains("join", await PurrTool.RunAsync(2, "room", "jion"), StringComparison.Ordinal);
        Assert.Contains("--valid-hours must be", await PurrTool.RunAsync(2, "invite", "--name", "x", "--valid-hours", "-1"), StringComparison.Ordinal);

        // The same passphrase rule as the browser's, said before anything is created.
        using var home = new TemporaryDirectory();
        var profile = Path.Combine(home.Path, "p");
        Assert.Contains("at least 8 characters", await PurrTool.RunWithAsync(2, "short", "--profile", profile, "init", "--server", "purr://ffF1uL7ESTUEVT8xPIq9dvlmnIZGAx5GaCLQN7_oGks@127.0.0.1:1"), StringComparison.Ordinal);
        Assert.False(Directory.Exists(profile) && Directory.EnumerateFileSystemEntries(profile).Any());
    }

    [Fact]
    public async Task Cards_that_fail_say_why_and_leave_nothing_behind()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob, mallory) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"), Path.Combine(home.Path, "m"));
        foreach (var profile in new[] { alice, bob, mallory })
        {
            await PurrTool.RunAsync(0, "--profile", profile, "init", "--server", server.Address.ToString());
        }

        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        Assert.Contains("incomplete", await PurrTool.RunAsync(1, "--profile", bob, "accept", link[..^7], "--name", "alice"), StringComparison.Ordinal);
        var typo = link[..^12] + (link[^12] == 'x' ? 'y' : 'x') + link[^11..];
        Assert.Contains("mistyped", await PurrTool.RunAsync(1, "--profile", bob, "accept", typo, "--name", "alice"), StringComparison.Ordinal);
        Assert.Contains("room link", await PurrTool.RunAsync(1, "--profile", bob, "accept", "purr:room/abc#def", "--name", "alice"), StringComparison.Ordinal);

        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        // Bob may write at once; "connected" comes with Alice's answer.
        Assert.Contains("alice\t\trequest sent", await PurrTool.RunAsync(0, "--profile", bob, "contacts"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");

        // Someone else tries the spent card: a clear reason, and no contact stuck at "request sent".
        Assert.Contains("already used or cancelled", await PurrTool.RunAsync(1, "--profile", mallory, "accept", link, "--name", "alice"), StringComparison.Ordinal);
        Assert.Contains("no contacts yet", await PurrTool.RunAsync(0, "--profile", mallory, "contacts"), StringComparison.Ordinal);
        var fresh = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "mallory")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", mallory, "accept", fresh, "--name", "alice");

        Assert.Contains("safety code with alice", await PurrTool.RunAsync(0, "--profile", bob, "verify", "alice"), StringComparison.Ordinal);
        Assert.Contains("alice is marked verified", await PurrTool.RunAsync(0, "--profile", bob, "verify", "alice", "--confirm"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 160)]
    [InlineData(true, 80)]
    public async Task The_terminal_QR_code_scans_as_the_card_and_a_classic_card_fits_80_columns(bool classic, int maxColumns)
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "a");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString(), "--display-name", "Alice Wonderland-Smith");
        var image = Path.Combine(home.Path, "card.png");
        string[] arguments = ["--profile", alice, "invite", "--name", "bob", "--qr", "--qr-file", image, .. classic ? new[] { "--classic" } : []];
        var output = await PurrTool.RunAsync(0, arguments);
        var lines = output.Split('\n');
        var link = lines.Single(l => l.StartsWith("purr:card/", StringComparison.Ordinal));
        var code = lines.Where(l => l.Length > 0 && l.All(c => c is '█' or '▀' or '▄' or ' ')).ToArray();
        Assert.StartsWith("purr:card/", link, StringComparison.Ordinal);
        Assert.All(code, line => Assert.True(line.Length <= maxColumns, $"a QR line is {line.Length} columns wide"));

        // A post-quantum card is 1.6 KB longer: its link and code are what README and PROTOCOL.md say.
        Assert.InRange(link.Length, classic ? 250 : 1800, classic ? 500 : 2100);

        Assert.Equal(link, await DecodeAsync(image));
        // The half blocks, read back into modules and drawn as an image, scan as the same link.
        var drawn = Path.Combine(home.Path, "terminal.png");
        await File.WriteAllBytesAsync(drawn, ToPng(code));
        Assert.Equal(link, await DecodeAsync(drawn));
    }

    [Fact]
    public async Task Room_receive_json_carries_the_message_id_and_time()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"));
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString());
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString());
        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "create", "--persistent", "--name", "g"))
            .RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", link, "--as", "Bob");
        await PurrTool.RunAsync(0, "--profile", bob, "room", "send", "g", "timed");
        var received = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "room", "receive", "g", "--wait", "10")).RootElement;
        var text = received.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "text");
        Assert.Equal("timed", text.GetProperty("text").GetString());
        Assert.Equal(32, text.GetProperty("messageId").GetString()!.Length);
        Assert.InRange(text.GetProperty("sentAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private static async Task<string> DecodeAsync(string image)
    {
        using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--quiet", "--raw", image]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = await zbar.StandardOutput.ReadToEndAsync();
        await zbar.WaitForExitAsync();
        return text.TrimEnd('\n');
    }

    /// <summary>Half-block text back to modules (a block is light, as drawn), then a PNG with a wide quiet zone.</summary>
    private static byte[] ToPng(string[] code)
    {
        var size = code[0].Length;
        var data = new QRCodeData((size - 4 - 17) / 4);
        data.ModuleMatrix.Clear();
        for (var i = 0; i < 4; i++)
        {
            data.ModuleMatrix.Add(new BitArray(size + 8));
        }

        foreach (var line in code)
        {
            var top = new BitArray(size + 8);
            var bottom = new BitArray(size + 8);
            for (var column = 0; column < size; column++)
            {
                top[column + 4] = line[column] is ' ' or '▄';
                bottom[column + 4] = line[column] is ' ' or '▀';
            }

            data.ModuleMatrix.Add(top);
            data.ModuleMatrix.Add(bottom);
        }

        while (data.ModuleMatrix.Count < size + 8)
        {
            data.ModuleMatrix.Add(new BitArray(size + 8));
        }

        using var png = new PngByteQRCode(data);
        return png.GetGraphic(8);
    }
}
