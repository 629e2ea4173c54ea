using Purr.TestKit;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>`purrctl migrate` upgrades a PostgreSQL schema before new binaries roll out, as purrd would at start.</summary>
public sealed class MigrateTests
{
    private static readonly string Purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");

    [Fact]
    public async Task Purrctl_migrates_an_empty_database_once_and_says_when_there_is_nothing_to_do()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync();
        string[] settings = ["--storage", "postgres", $"--Postgres:ConnectionString={database.ConnectionString}"];

        var first = await ProcessRun.RunAsync("dotnet", [Purrctl, "migrate", .. settings]);
        Assert.True(first.Exit == 0, first.Output);
        Assert.Contains("schema migrated from version 0 to 4", first.Output, StringComparison.Ordinal);
        var again = await ProcessRun.RunAsync("dotnet", [Purrctl, "migrate", .. settings]);
        Assert.Contains("schema up to date (version 4)", again.Output, StringComparison.Ordinal);

        var sqlite = await ProcessRun.RunAsync("dotnet", [Purrctl, "migrate", "--storage", "sqlite"]);
        Assert.Equal(2, sqlite.Exit);
        Assert.Contains("SQLite files are upgraded when purrd opens them", sqlite.Output, StringComparison.Ordinal);

        var unreachable = await ProcessRun.RunAsync("dotnet", [Purrctl, "migrate", "--storage", "postgres", "--Postgres:ConnectionString=Host=127.0.0.1;Port=1;Username=purr;Password=hunter22;Timeout=2"]);
        Assert.Equal(1, unreachable.Exit);
        Assert.Contains("PostgreSQL:", unreachable.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", unreachable.Output, StringComparison.Ordinal);
    }
}
