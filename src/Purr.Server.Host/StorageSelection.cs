using Purr.Core.Handles;
using Purr.Core.Mailboxes;
using Purr.Core.Registration;
using Purr.Core.Rooms;
using Purr.Storage.Memory;
using Purr.Storage.Postgres;
using Purr.Storage.Sqlite;

namespace Purr.Server.Host;

/// <summary>The one place a storage backend is picked ("Storage": sqlite | memory | postgres).</summary>
internal static class StorageSelection
{
    public static string Kind(IConfiguration configuration) => (configuration["Storage"] ?? "sqlite").ToLowerInvariant();

    public static async Task<(IMailboxStore Mailboxes, IRoomStore Rooms, IRegistrationStore Registration, IHandleStore Handles)> OpenAsync(IConfiguration configuration, string dataDirectory, TimeProvider time)
    {
        var kind = Kind(configuration);
        if (kind == "postgres")
        {
            // An if of its own, not a case guard: native AOT drops the PostgreSQL code from a lean build only when the
            // feature switch's branch is this plain.
            if (!BuildFeatures.Postgres)
            {
                throw new ConfigurationException(BuildFeatures.Missing("PostgreSQL", "--storage postgres"));
            }

            return await OpenPostgresAsync(configuration);
        }

        switch (kind)
        {
            case "memory":
                return (new MemoryMailboxStore(), new MemoryRoomStore(), new MemoryRegistrationStore(), new MemoryHandleStore());
            case "sqlite":
                var sqlite = await SqliteStore.OpenAsync(new SqliteStoreOptions
                {
                    Path = Path.Combine(dataDirectory, "purr.db"),
                    Synchronous = configuration["Sqlite:Synchronous"] ?? "NORMAL",
                    ErasureInterval = configuration.GetValue("Sqlite:ErasureInterval", TimeSpan.FromSeconds(5)),
                    Time = time,
                });
                return (sqlite, sqlite, sqlite, sqlite);
            default:
                throw new ConfigurationException($"--storage must be sqlite, memory or postgres, not '{configuration["Storage"]}'");
        }
    }

    private static async Task<(IMailboxStore, IRoomStore, IRegistrationStore, IHandleStore)> OpenPostgresAsync(IConfiguration configuration)
    {
        var connectionString = configuration["Postgres:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ConfigurationException("--storage postgres needs --Postgres:ConnectionString \"Host=…;Username=…;Password=…;Database=…\"");
        }

        PostgresStore postgres;
        try
        {
            postgres = await PostgresStore.OpenAsync(new PostgresStoreOptions
            {
                ConnectionString = connectionString,
                MaxPoolSize = configuration.GetValue<int?>("Postgres:MaxPoolSize"),
            });
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or System.Net.Sockets.SocketException)
        {
            // The message names the host and the cause, never the password.
            throw new ConfigurationException($"PostgreSQL: {e.Message}");
        }

        return (postgres, postgres, postgres, postgres);
    }
}

/// <summary>A configuration value the server cannot start with; its message is shown to the operator as is.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
