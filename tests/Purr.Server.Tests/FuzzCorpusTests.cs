using Purr.Fuzz;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Every input in the fuzz corpus (fuzz/corpus/TARGET) and every crash ever found (fuzz/regressions/TARGET,
/// kept once fixed) goes through its target in process on every test run: a fixed crash stays fixed even
/// where afl-fuzz is not installed.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly string[] Kinds = ["corpus", "regressions"];

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_and_regression_input_is_handled_without_an_undocumented_exception(string target)
    {
        var files = Kinds
            .Select(kind => Path.Combine(RepositoryPaths.Root, "fuzz", kind, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            FuzzTargets.All[target](File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void The_server_target_splits_frames_as_documented_and_survives_truncation()
    {
        byte[] input = [0, 3, 1, 2, 3, 0, 9, 4];
        Assert.Equal([[1, 2, 3], [4]], ServerSessionTarget.Frames(input).ToList());
        FuzzTargets.All["server"]([0xFF, 0xFF, 0x0A]);
        FuzzTargets.All["server"]([]);
    }
}
