using Npgsql;

namespace Purr.TestKit;

/// <summary>A fresh database on the tests' PostgreSQL, dropped (with any connections still open) on dispose.</summary>
public sealed class TemporaryPostgresDatabase : IAsyncDisposable
{
    private readonly string name;

    private TemporaryPostgresDatabase(string name, string connectionString)
    {
        this.name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public string Name => name;

    public static async Task<TemporaryPostgresDatabase> CreateAsync()
    {
        var name = "purr_test_" + Guid.NewGuid().ToString("N");
        try
        {
            await using var admin = new NpgsqlConnection(TestServices.Postgres);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"PostgreSQL at {TestServices.Postgres} does not answer ({e.Message}); {TestServices.StartHint}", e);
        }

        var builder = new NpgsqlConnectionStringBuilder(TestServices.Postgres) { Database = name };
        return new TemporaryPostgresDatabase(name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestServices.Postgres);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
