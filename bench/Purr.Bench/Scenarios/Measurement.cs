namespace Purr.Bench.Scenarios;

/// <summary>One system's figures in one scenario.</summary>
internal sealed record Measurement(string Scenario, string System, Dictionary<string, double> Values, string Notes = "")
{
    public double this[string key] => Values.TryGetValue(key, out var value) ? value : double.NaN;
}

/// <summary>Sizes of a run: the full benchmark, or a seconds-long smoke run for CI.</summary>
/// <param name="OneToOneWarmUp">
/// How long S1 sends at its rate before it measures: a fresh server spends its first seconds compiling (tiered JIT) and
/// sizing its heaps (its first collections took 60 ms each under S1), which is start-up (S5), not the steady state.
/// </param>
/// <param name="Xmpp">Whether the XMPP servers installed here (Prosody, ejabberd) run beside Purr and the relay.</param>
internal sealed record RunSize(
    int OneToOneClients, int OneToOneRate, TimeSpan OneToOneDuration, TimeSpan OneToOneWarmUp,
    int RoomMembers, int RoomMessages, int RoomRate,
    int IdleConnections, int ConnectCount, bool Xmpp, bool Ratchet)
{
    public static readonly RunSize Full = new(1000, 10_000, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), 1000, 600, 400, 10_000, 4000, true, true);

    public static readonly RunSize Smoke = new(20, 500, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 20, 20, 50, 100, 100, false, false);
}
