using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>`purr` as README.md installs it: packed as a .NET tool, installed, run from another directory.</summary>
public sealed class CliInstallTests
{
    [Fact]
    public async Task Purr_packs_as_a_dotnet_tool_that_runs_outside_the_repository()
    {
        await using var server = await RunningServer.StartAsync();
        using var work = new TemporaryDirectory();
        var packages = Path.Combine(work.Path, "packages");
        var tools = Path.Combine(work.Path, "tools");
        await RunAsync(RepositoryPaths.Root, "dotnet", "pack", Path.Combine("src", "Purr.Cli"), "-c", "Release", "-o", packages, "-p:BuildWebClient=false");
        await RunAsync(work.Path, "dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "purr");

        var purr = Path.Combine(tools, "purr");
        Assert.Contains("0.2.0", await RunAsync(work.Path, purr, "--version"), StringComparison.Ordinal);
        // It finds its own libsodium and talks to a real server, away from the source tree.
        Assert.Contains("server key verified", await RunAsync(work.Path, purr, "ping", server.Address.ToString()), StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(string directory, string file, params string[] args)
    {
        var (exit, output) = await ProcessRun.RunAsync(file, args, directory, TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, $"{file} {string.Join(' ', args)} exited {exit}: {output}");
        return output;
    }
}
