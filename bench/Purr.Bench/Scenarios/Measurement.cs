namespace Purr.Bench.Scenarios;

/// <summary>One system's figures in one scenario.</summary>
internal sealed record Measurement(string Scenario, string System, Dictionary<string, double> Values, string Notes = "")
{
    public double this[string key] => Values.TryGetValue(key, out var value) ? value : double.NaN;
}

/// <summary>Sizes of a run: the full benchmark, or a seconds-long smoke run for CI.</summary>
internal sealed record RunSize(
    int OneToOneClients, int OneToOneRate, TimeSpan OneToOneDuration,
    int RoomMembers, int RoomMessages, int RoomRate,
    int IdleConnections, int ConnectCount, bool Prosody, bool Ratchet)
{
    public static readonly RunSize Full = new(1000, 10_000, TimeSpan.FromSeconds(15), 1000, 600, 400, 10_000, 4000, true, true);

    public static readonly RunSize Smoke = new(20, 500, TimeSpan.FromSeconds(1), 20, 20, 50, 100, 100, false, false);
}
