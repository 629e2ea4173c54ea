using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Purr.Bench.Scenarios;

/// <summary>S6 through BenchmarkDotNet, in process (the bench's own Release build; no generated project to restore).</summary>
internal static class RatchetScenario
{
    public const string Name = "S6 client crypto";

    public static Measurement Run()
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance);
        var summary = BenchmarkRunner.Run<RatchetBenchmarks>(DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator));
        var mean = summary.Reports.FirstOrDefault()?.ResultStatistics?.Mean ?? double.NaN;
        return new Measurement(Name, "Purr", new Dictionary<string, double> { ["mean_us"] = mean / 1000, ["messages_per_s"] = 1e9 / mean },
            "BenchmarkDotNet ShortRun, in process, one thread; each operation seals and opens one message");
    }
}
