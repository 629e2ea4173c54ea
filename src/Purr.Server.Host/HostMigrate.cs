using Purr.Storage.Postgres;

namespace Purr.Server.Host;

/// <summary>
/// `purrctl migrate`: brings a PostgreSQL database's schema up to this build's version without starting purrd,
/// for operators who upgrade the schema before rolling new binaries over their nodes. (purrd applies the same
/// migrations at start; SQLite files are upgraded in place when purrd opens them.)
/// </summary>
public static class HostMigrate
{
    /// <returns>0 and what changed; 2 for a bad command line; 1 when the database refused or could not be reached.</returns>
    public static async Task<(int Exit, string Message)> RunAsync(string[] args, string? settingsFile = null)
    {
        if (HostCommandLine.Problem(args) is { } problem)
        {
            return (2, problem);
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(settingsFile ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json")), optional: true)
            .AddEnvironmentVariables("PURR_")
            .AddCommandLine(args)
            .Build();
        if (StorageSelection.Kind(configuration) != "postgres")
        {
            return (2, "migrate is for --storage postgres (SQLite files are upgraded when purrd opens them)");
        }

        if (string.IsNullOrWhiteSpace(configuration["Postgres:ConnectionString"]))
        {
            return (2, "--storage postgres needs --Postgres:ConnectionString");
        }

        try
        {
            var (before, after) = await PostgresStore.MigrateAsync(new PostgresStoreOptions { ConnectionString = configuration["Postgres:ConnectionString"]! });
            return (0, before == after ? $"schema up to date (version {after})" : $"schema migrated from version {before} to {after}");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or ArgumentException)
        {
            // Npgsql's messages name the host and the cause, never the password.
            return (1, $"PostgreSQL: {e.Message}");
        }
    }
}
