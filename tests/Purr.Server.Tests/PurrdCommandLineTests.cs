using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Sockets;
using Purr.Server.Host;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>purrd's command line as an operator meets it: help without side effects, typos refused, one-line errors.</summary>
public sealed class PurrdCommandLineTests
{
    [Fact]
    public async Task Help_lists_the_settings_and_starts_nothing()
    {
        using var directory = new TemporaryDirectory();
        var (exit, output) = await RunAsync(directory.Path, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--storage sqlite|memory", output, StringComparison.Ordinal);
        Assert.Contains("MaxFrameBytes                      131072", output, StringComparison.Ordinal);
        Assert.Contains("TransientGrace", output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
        Assert.Equal(0, (await RunAsync(directory.Path, "--version")).Exit);
    }

    [Theory]
    [InlineData("--storag memory", "unknown setting '--storag'; did you mean '--storage'?")]
    [InlineData("--Limits:MaxFrameByte=65536", "did you mean '--Limits:MaxFrameBytes'?")]
    [InlineData("--Rooms:Nonsense=1", "unknown setting '--Rooms:Nonsense'")]
    [InlineData("memory", "unexpected argument 'memory'")]
    [InlineData("--storage", "--storage needs a value")]
    public async Task Unknown_or_malformed_settings_are_refused_before_anything_starts(string args, string expected)
    {
        using var directory = new TemporaryDirectory();
        var (exit, output) = await RunAsync(directory.Path, args.Split(' '));
        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public async Task A_bad_limit_and_a_port_in_use_are_one_line_each_with_a_hint()
    {
        using var directory = new TemporaryDirectory();
        var (exit, output) = await RunAsync(directory.Path, "--storage", "memory", "--Limits:MaxFrameBytes=1");
        Assert.Equal(1, exit);
        Assert.Equal("purrd: Limits:MaxFrameBytes: The field MaxFrameBytes must be between 4096 and 16777216; Limits:MaxFrameBytes must be at least Mailboxes:MaxMessageBytes + 1024 (purrd --help lists every setting and its default)", output.Trim());

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        (exit, output) = await RunAsync(directory.Path, "--storage", "memory", "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(1, exit);
        Assert.Equal($"purrd: http://127.0.0.1:{port} is already in use (another purrd?); stop that process or listen elsewhere with --urls http://127.0.0.1:PORT", output.Trim());
    }

    [Fact]
    public async Task A_damaged_key_is_reported_before_a_bad_module_and_a_bad_store_before_both()
    {
        // The store and the key open while the host is assembled; failures still come in the order of a start that
        // opened them first.
        using var directory = new TemporaryDirectory();
        await File.WriteAllBytesAsync(Path.Combine(directory.Path, "server.key"), new byte[10]);
        var (exit, output) = await RunAsync(directory.Path, "--data", directory.Path, "--Modules:0=presence");
        Assert.Equal(1, exit);
        Assert.Equal($"purrd: {Path.Combine(directory.Path, "server.key")} is damaged: it must be 64 bytes", output.Trim());

        (exit, output) = await RunAsync(directory.Path, "--data", directory.Path, "--storage", "floppy", "--Modules:0=presence");
        Assert.Equal(1, exit);
        Assert.Equal("purrd: --storage must be sqlite, memory or postgres, not 'floppy'", output.Trim());

        File.Delete(Path.Combine(directory.Path, "server.key"));
        (exit, output) = await RunAsync(directory.Path, "--data", directory.Path, "--Modules:0=presence");
        Assert.Equal(1, exit);
        Assert.StartsWith("purrd: unknown module 'presence'", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_fails_after_the_store_opened_closes_the_store_again()
    {
        using var directory = new TemporaryDirectory();
        await Assert.ThrowsAsync<Purr.Server.Modules.ModuleConfigurationException>(() =>
            PurrHost.BuildAsync(["--urls", "http://127.0.0.1:0", "--data", directory.Path, "--Modules:0=presence"]));
        Assert.True(File.Exists(Path.Combine(directory.Path, "purr.db")));
        Assert.Empty(OpenFilesUnder(directory.Path));
    }

    /// <summary>The files this process holds open under a directory (Linux: /proc/self/fd).</summary>
    private static List<string> OpenFilesUnder(string directory) =>
        [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget ?? ""; } catch (IOException) { return ""; } })
            .Where(target => target.StartsWith(directory + "/", StringComparison.Ordinal))];

    [Fact]
    public void The_settings_purrd_reads_are_the_ones_it_accepts()
    {
        // Every key of the shipped appsettings.json passes the check that refuses typos.
        var settings = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        var keys = settings.AsEnumerable().Where(pair => pair.Value is not null && !pair.Key.StartsWith("Logging", StringComparison.Ordinal)).Select(pair => pair.Key).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Null(HostCommandLine.Problem([$"--{key}=x"])));
    }

    private static Task<(int Exit, string Output)> RunAsync(string directory, params string[] args) =>
        ProcessRun.RunAsync("dotnet", [typeof(PurrHost).Assembly.Location, .. args], directory);
}
