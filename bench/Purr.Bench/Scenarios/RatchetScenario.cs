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
        double Mean(string method) =>
            summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)?.ResultStatistics?.Mean ?? double.NaN;
        var pair = Mean(nameof(RatchetBenchmarks.EncryptDecrypt));
        var encrypt = Mean(nameof(RatchetBenchmarks.Encrypt));
        return new Measurement(Name, "Purr", new Dictionary<string, double>
        {
            ["mean_us"] = pair / 1000,
            ["messages_per_s"] = 1e9 / pair,
            ["encrypt_per_s"] = 1e9 / encrypt,
            ["decrypt_per_s"] = 1e9 / (pair - encrypt),
        }, "BenchmarkDotNet ShortRun, in process, one thread");
    }
}
