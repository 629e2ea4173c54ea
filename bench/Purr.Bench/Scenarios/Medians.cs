namespace Purr.Bench.Scenarios;

/// <summary>Medians over repeated runs: a scenario that is short against this machine's swings runs several times.</summary>
internal static class Medians
{
    /// <summary>The middle value; of an even number, the mean of the two middle ones.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One row per system (in the order the systems first ran), each figure the median of that system's runs.</summary>
    public static IReadOnlyList<Measurement> PerSystem(IReadOnlyList<Measurement> runs) =>
        [.. runs.GroupBy(r => r.System).Select(g => g.First() with
        {
            Values = g.First().Values.Keys.ToDictionary(key => key, key => Of(g.Select(r => r[key]))),
        })];
}
