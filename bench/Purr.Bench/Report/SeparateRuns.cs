using System.Text;
using System.Text.Json;
using Purr.Bench.Scenarios;
using Purr.Bench.Targets;

namespace Purr.Bench.Report;

/// <summary>
/// Scenarios measured on their own after the full run (`purr-bench s6`, `purr-bench s7`): their rows replace the full run's
/// in results.json, and BENCHMARKS.md says which figures came later and when. bench/results/runs.json keeps the full run's
/// time (a file's own time does not survive a git checkout) and those sentences; a full run starts it afresh.
/// </summary>
internal static class SeparateRuns
{
    private const string FileName = "runs.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Merges <paramref name="rows"/> into results.json in place of <paramref name="scenario"/>'s and rewrites BENCHMARKS.md.</summary>
    public static async Task MergeAsync(string output, string scenario, IReadOnlyList<Measurement> rows, string sentence, JsonSerializerOptions json)
    {
        Directory.CreateDirectory(output);
        var resultsPath = Path.Combine(output, "results.json");
        var kept = File.Exists(resultsPath)
            ? JsonSerializer.Deserialize<List<Measurement>>(await File.ReadAllTextAsync(resultsPath), json)!.Where(m => m.Scenario != scenario).ToList()
            : [];
        kept.AddRange(rows);
        // Scenario order (S1, S2, ...), whichever was measured later; OrderBy keeps each scenario's rows in order.
        kept = [.. kept.OrderBy(m => m.Scenario, StringComparer.Ordinal)];
        await File.WriteAllTextAsync(resultsPath, JsonSerializer.Serialize(kept, json));

        var runs = await LoadAsync(output);
        var machine = Machine.Describe();
        if (runs.FullRunMachine is { } fullRunMachine && fullRunMachine != machine)
        {
            // A later session may get other hardware: the figures are then not comparable with the full run's, and the
            // sentence says so (ratios within one run stay meaningful).
            sentence = sentence.Replace("on the same machine", $"on another machine ({OneLine(machine)})", StringComparison.Ordinal);
        }

        runs.Later[scenario] = sentence;
        await SaveAsync(output, runs);
        await WriteReportAsync(kept, runs, output);
    }

    /// <summary>The rows results.json holds for <paramref name="scenario"/> (none before a full run).</summary>
    public static async Task<IReadOnlyList<Measurement>> RowsAsync(string output, string scenario, JsonSerializerOptions json)
    {
        var resultsPath = Path.Combine(output, "results.json");
        return File.Exists(resultsPath)
            ? [.. JsonSerializer.Deserialize<List<Measurement>>(await File.ReadAllTextAsync(resultsPath), json)!.Where(m => m.Scenario == scenario)]
            : [];
    }

    /// <summary>Rebuilds BENCHMARKS.md from results.json and the notes (`purr-bench report`).</summary>
    public static async Task RebuildAsync(string output, JsonSerializerOptions json)
    {
        var saved = JsonSerializer.Deserialize<List<Measurement>>(await File.ReadAllTextAsync(Path.Combine(output, "results.json")), json)!;
        await WriteReportAsync(saved, await LoadAsync(output), output);
    }

    /// <summary>A full run: every figure comes from it, at <paramref name="when"/>.</summary>
    public static Task StartAsync(string output, DateTimeOffset when) => SaveAsync(output, new Runs { FullRun = when, FullRunMachine = Machine.Describe() });

    private static string OneLine(string machine) => machine.Replace("* ", "", StringComparison.Ordinal).Replace("\n", "; ", StringComparison.Ordinal);

    private static async Task<Runs> LoadAsync(string output)
    {
        var path = Path.Combine(output, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<Runs>(await File.ReadAllTextAsync(path)) ?? new Runs() : new Runs();
    }

    private static Task SaveAsync(string output, Runs runs) =>
        File.WriteAllTextAsync(Path.Combine(output, FileName), JsonSerializer.Serialize(runs, Indented));

    private static Task WriteReportAsync(IReadOnlyList<Measurement> results, Runs runs, string output) =>
        File.WriteAllTextAsync(
            Path.Combine(BuildOutputs.Root, "BENCHMARKS.md"),
            MarkdownReport.Build([.. results.OrderBy(m => m.Scenario, StringComparer.Ordinal)], runs.FullRunMachine ?? Machine.Describe(), "bash bench/run.sh", runs.FullRun, output, runs.Later.Count == 0 ? null : string.Join(" ", runs.Later.Values))
                + Targets.Targets.Describe(results),
            new UTF8Encoding(false));

    private sealed class Runs
    {
        public DateTimeOffset FullRun { get; set; } = DateTimeOffset.UtcNow;

        /// <summary>The full run's machine (Machine.Describe): the report's "Machine" section, whichever machine measures later.</summary>
        public string? FullRunMachine { get; set; }

        /// <summary>Scenario → the sentence saying when and how it was measured after the full run.</summary>
        public SortedDictionary<string, string> Later { get; set; } = [];
    }
}
