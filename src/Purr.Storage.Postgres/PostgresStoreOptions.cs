namespace Purr.Storage.Postgres;

/// <summary>How purrd reaches PostgreSQL (--storage postgres).</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string: Host=…;Port=…;Username=…;Password=…;Database=….</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Most pooled connections this process opens; null keeps Npgsql's default (100) or the string's own.</summary>
    public int? MaxPoolSize { get; init; }
}
