using Microsoft.Data.Sqlite;

namespace Purr.Storage.Sqlite;

/// <summary>
/// Makes deletion real under WAL. secure_delete zeroes deleted rows in the newest copy of a page, but the
/// older copies written to purr.db-wal before the deletion keep the ciphertext until the WAL is checkpointed
/// and emptied. So every deletion marks the store, and a timer runs wal_checkpoint(TRUNCATE) when marked:
/// deleted ciphertext leaves both files within one <see cref="SqliteStoreOptions.ErasureInterval"/>.
/// </summary>
public sealed partial class SqliteStore
{
    private readonly CancellationTokenSource erasureStop = new();
    private readonly Task erasureLoop;
    private volatile bool erasurePending;

    /// <summary>Runs the pending erasure now (tests, and operators' tools that want the files clean at once).</summary>
    public async ValueTask EraseDeletedNowAsync(CancellationToken cancellationToken = default) =>
        await Locked(async () =>
        {
            erasurePending = false;
            await CheckpointAsync(connection, cancellationToken);
            return true;
        }, cancellationToken);

    private int MarkErased(int rowsChanged)
    {
        if (rowsChanged > 0)
        {
            erasurePending = true;
        }

        return rowsChanged;
    }

    private async Task RunErasureLoopAsync(SqliteStoreOptions options)
    {
        // Yield first: the constructor must not run the loop's body synchronously.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.ErasureInterval, options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(erasureStop.Token))
            {
                if (erasurePending)
                {
                    try
                    {
                        await EraseDeletedNowAsync(erasureStop.Token);
                    }
                    catch (SqliteException)
                    {
                        // A busy or failing checkpoint is retried on the next tick; nothing is lost meanwhile.
                        erasurePending = true;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task StopErasureLoopAsync()
    {
        if (!erasureStop.IsCancellationRequested)
        {
            await erasureStop.CancelAsync();
        }

        await erasureLoop;
    }

    private static async Task CheckpointAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
    }
}
