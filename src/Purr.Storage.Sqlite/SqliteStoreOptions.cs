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

    /// <summary>
    /// The longest time deleted ciphertext (acknowledged, expired, or in a deleted mailbox or room) stays
    /// in the store's files. secure_delete zeroes it in the newest copy of each page, but under WAL the older
    /// copies stay in purr.db-wal (and the zeroed page reaches purr.db only at a checkpoint); so after any
    /// deletion a truncating checkpoint runs within this time. Default 5 s; between 100 ms and 10 minutes.
    /// </summary>
    public TimeSpan ErasureInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock that drives the erasure timer (tests move it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
