namespace Purr.Storage.Sqlite;

/// <summary>Where and how the SQLite store keeps its one file.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; the host puts it in the data directory as purr.db.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// SQLite's synchronous setting under WAL. NORMAL (the default) survives a process crash or kill;
    /// FULL also survives power loss, at the cost of an fsync per stored message.
    /// </summary>
    public string Synchronous { get; init; } = "NORMAL";
}
