namespace Purr.Server.Tests.Chaos;

/// <summary>
/// A short chaos run in every test pass; `bash scripts/chaos.sh` runs the same for longer
/// (PURR_CHAOS_CYCLES restarts each, default 100) and prints the figures.
/// </summary>
public sealed class ChaosTests
{
    private static int Cycles => int.TryParse(Environment.GetEnvironmentVariable("PURR_CHAOS_CYCLES"), out var n) ? n : 4;

    [Theory]
    [InlineData("KILL")]
    [InlineData("TERM")]
    public async Task Nothing_accepted_is_lost_and_nothing_acknowledged_comes_back_across_restarts(string signal)
    {
        var run = new ChaosRun(mailboxes: 6, cycles: Cycles, signal, seed: Environment.TickCount);
        await run.RunAsync();
        Console.WriteLine($"chaos {signal}: {run.Restarts} restarts, {run.Accepted} messages accepted, {run.Acknowledged} acknowledged, " +
            $"{run.Lost.Count} lost, {run.Violations.Count} delivered again after their ack");
        Assert.True(run.Accepted > 0, "the run sent nothing");
        Assert.Empty(run.Violations);
        Assert.Empty(run.Lost);
    }
}
