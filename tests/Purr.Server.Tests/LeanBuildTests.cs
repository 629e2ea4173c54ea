using System.Diagnostics;
using System.Text.Json.Nodes;
using Purr.Client;
using Purr.Protocol;
using Purr.Server.Host;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// A lean purrd (published with -p:PurrLean=true: no PostgreSQL, Redis or MQTT compiled in) says so and refuses, in one
/// line, a configuration that needs a part it lacks, before it touches anything. Here the JIT build runs with the same
/// feature switches in its runtimeconfig; with PURR_PURRD_LEAN set to the lean native AOT binary (scripts/test-aot.sh),
/// that binary runs the same checks too.
/// </summary>
public sealed class LeanBuildTests
{
    public static TheoryData<string> Builds()
    {
        var builds = new TheoryData<string> { "jit" };
        if (Environment.GetEnvironmentVariable("PURR_PURRD_LEAN") is { Length: > 0 })
        {
            builds.Add("native");
        }

        return builds;
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Says_what_it_was_built_without(string build)
    {
        using var directory = new TemporaryDirectory();
        var (exit, output) = await RunAsync(build, directory.Path, "--version");
        Assert.Equal(0, exit);
        Assert.Contains("(built without PostgreSQL, Redis, MQTT)", output, StringComparison.Ordinal);

        // A full build says nothing of the kind.
        (exit, output) = await ProcessRun.RunAsync("dotnet", [typeof(PurrHost).Assembly.Location, "--version"], directory.Path);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("built without", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Refuses_a_part_it_lacks_in_one_line_and_writes_nothing(string build)
    {
        (string[] Args, int Exit, string Expected)[] cases =
        [
            (["--storage", "postgres", "--Postgres:ConnectionString=Host=127.0.0.1;Username=u;Password=p;Database=d"], 1,
                "purrd: --storage postgres needs PostgreSQL, which this purrd was built without (published with -p:PurrLean=true); use a full build"),
            (["--storage", "memory", "--Redis:Configuration=127.0.0.1:1"], 1,
                "purrd: Redis:Configuration needs the Redis backplane, which this purrd was built without (published with -p:PurrLean=true); use a full build"),
            (["--storage", "memory", "--Mqtt:Endpoint=mqtt://127.0.0.1:1/purr"], 1,
                "purrd: Mqtt:Endpoint needs the MQTT transport, which this purrd was built without (published with -p:PurrLean=true); use a full build"),
        ];
        foreach (var (args, expectedExit, expected) in cases)
        {
            using var directory = new TemporaryDirectory();
            var data = Path.Combine(directory.Path, "data");
            var (exit, output) = await RunAsync(build, directory.Path, [.. args, "--data", data, "--urls", "http://127.0.0.1:0"]);
            Assert.True(expectedExit == exit, $"{string.Join(' ', args)}: exit {exit}: {output}");
            Assert.Contains(expected, output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public async Task Serves_on_sqlite_as_a_full_build_does(string build)
    {
        using var directory = new TemporaryDirectory();
        var (file, prefix) = Command(build, directory.Path);
        var start = new ProcessStartInfo(file, [.. prefix, "--urls", "http://127.0.0.1:0", "--data", Path.Combine(directory.Path, "data")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("purrd listening: ", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            var address = PurrAddress.Parse(line["purrd listening: ".Length..]);
            await using var connection = await PurrConnection.ConnectAsync(address);
            await connection.PingAsync();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Task<(int Exit, string Output)> RunAsync(string build, string directory, params string[] args)
    {
        var (file, prefix) = Command(build, directory);
        return ProcessRun.RunAsync(file, [.. prefix, .. args], directory);
    }

    /// <summary>The program and the arguments before purrd's own that run the lean build.</summary>
    private static (string File, string[] Prefix) Command(string build, string directory)
    {
        if (build == "native")
        {
            return (Environment.GetEnvironmentVariable("PURR_PURRD_LEAN")!, []);
        }

        // The JIT build with the lean build's switches: the same AppContext switches the publish writes.
        var dll = typeof(PurrHost).Assembly.Location;
        var config = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(dll, ".runtimeconfig.json")))!;
        var properties = config["runtimeOptions"]!["configProperties"]!.AsObject();
        properties[BuildFeatures.PostgresSwitch] = false;
        properties[BuildFeatures.RedisSwitch] = false;
        properties[BuildFeatures.MqttSwitch] = false;
        var path = Path.Combine(directory, "lean.runtimeconfig.json");
        File.WriteAllText(path, config.ToJsonString());
        return ("dotnet", ["exec", "--runtimeconfig", path, dll]);
    }
}
