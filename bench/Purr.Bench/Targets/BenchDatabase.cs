using Npgsql;

namespace Purr.Bench.Targets;

/// <summary>
/// A fresh PostgreSQL database for one scale-out measurement, dropped after it, on the PostgreSQL that
/// scripts/test-services.sh starts (or PURR_BENCH_POSTGRES).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public static string Server { get; } = Environment.GetEnvironmentVariable("PURR_BENCH_POSTGRES") is { Length: > 0 } configured
        ? configured
        : "Host=127.0.0.1;Port=15432;Username=purr;Database=postgres";

    public static string Redis { get; } = Environment.GetEnvironmentVariable("PURR_BENCH_REDIS") is { Length: > 0 } redis ? redis : "127.0.0.1:16379";

    private readonly string name;

    private BenchDatabase(string name, string connectionString)
    {
        this.name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync()
    {
        var name = "purr_bench_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new BenchDatabase(name, new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
