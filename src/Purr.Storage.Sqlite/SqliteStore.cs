using Microsoft.Data.Sqlite;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Sqlite;

/// <summary>
/// Mailboxes (and persistent rooms, SqliteStore.Rooms.cs) in one SQLite file in WAL mode. SQLite admits one writer at a time, so one connection
/// behind one gate serves every operation; each operation is a single statement or transaction.
/// secure_delete overwrites deleted ciphertext instead of leaving it in free pages, and a truncating
/// checkpoint within <see cref="SqliteStoreOptions.ErasureInterval"/> of any deletion removes the older
/// copies that WAL keeps (SqliteStore.Erasure.cs).
/// </summary>
public sealed partial class SqliteStore : IMailboxStore
{
    private readonly SqliteConnection connection;
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool disposed;

    private SqliteStore(SqliteConnection connection, SqliteStoreOptions options)
    {
        this.connection = connection;
        erasureLoop = RunErasureLoopAsync(options);
    }

    public static async Task<SqliteStore> OpenAsync(SqliteStoreOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Synchronous is not ("NORMAL" or "FULL"))
        {
            throw new ArgumentException("Synchronous must be NORMAL or FULL", nameof(options));
        }

        if (options.ErasureInterval < TimeSpan.FromMilliseconds(100) || options.ErasureInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("ErasureInterval must be between 100 ms and 10 minutes", nameof(options));
        }

        SqliteFiles.Prepare(options.Path);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText =
                $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {options.Synchronous}; PRAGMA secure_delete = ON; PRAGMA busy_timeout = 5000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = SqliteSchema.Create;
            await schema.ExecuteNonQueryAsync(cancellationToken);
            schema.CommandText = SqliteSchema.HasRoomVersion;
            if ((long)(await schema.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                schema.CommandText = SqliteSchema.AddRoomVersion;
                await schema.ExecuteNonQueryAsync(cancellationToken);
            }

            schema.CommandText = SqliteSchema.RecordVersion;
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        // After a crash the WAL may still hold copies of deleted ciphertext: fold it in and empty it now.
        await CheckpointAsync(connection, cancellationToken);
        return new SqliteStore(connection, options);
    }

    public ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            // An id must not collide with either id of any mailbox.
            command.CommandText = """
                INSERT INTO mailboxes (receive_id, send_id, recipient_key, sender_key, lifetime_seconds, quota)
                SELECT $receive, $send, $recipient, $sender, $lifetime, $quota
                WHERE NOT EXISTS (SELECT 1 FROM mailboxes WHERE receive_id IN ($receive, $send) OR send_id IN ($receive, $send))
                """;
            command.Parameters.AddWithValue("$receive", mailbox.ReceiveId.ToBytes());
            command.Parameters.AddWithValue("$send", mailbox.SendId.ToBytes());
            command.Parameters.AddWithValue("$recipient", mailbox.RecipientKey);
            command.Parameters.AddWithValue("$sender", (object?)mailbox.SenderKey ?? DBNull.Value);
            command.Parameters.AddWithValue("$lifetime", (long)mailbox.LifetimeSeconds);
            command.Parameters.AddWithValue("$quota", mailbox.Quota);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        FindAsync("receive_id", receiveId, cancellationToken);

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        FindAsync("send_id", sendId, cancellationToken);

    public ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE mailboxes SET sender_key = $sender
                WHERE receive_id = $receive AND (sender_key IS NULL OR sender_key = $sender)
                """;
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            command.Parameters.AddWithValue("$sender", senderKey);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return SecureResult.Secured;
            }

            return await ExistsAsync(receiveId, cancellationToken) ? SecureResult.AlreadySecured : SecureResult.NotFound;
        }, cancellationToken);

    public ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM messages WHERE receive_id = $receive; DELETE FROM mailbox_blocks WHERE receive_id = $receive; DELETE FROM mailboxes WHERE receive_id = $receive;";
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            await command.ExecuteNonQueryAsync(cancellationToken);
            await using var changes = connection.CreateCommand();
            changes.Transaction = transaction;
            changes.CommandText = "SELECT changes()";
            var deleted = Convert.ToInt64(await changes.ExecuteScalarAsync(cancellationToken)) == 1;
            await transaction.CommitAsync(cancellationToken);
            erasurePending = true;
            return deleted;
        }, cancellationToken);

    public ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            if (!await ExistsAsync(receiveId, cancellationToken))
            {
                return EnqueueResult.NotFound;
            }

            // The gate serialises writers, so the count and the insert cannot interleave with another enqueue. The count
            // stops at the quota: a send then reads at most `quota` rows, however far behind its recipient is.
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE receive_id = $receive AND expires_at > $now LIMIT $quota)";
            count.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            count.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            count.Parameters.AddWithValue("$quota", (long)quota);
            var unexpired = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
            if (unexpired >= quota)
            {
                return EnqueueResult.QuotaExceeded;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO messages (receive_id, message_id, payload, received_at, expires_at)
                VALUES ($receive, $id, $payload, $received, $expires)
                """;
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            command.Parameters.AddWithValue("$id", message.Id.ToBytes());
            command.Parameters.AddWithValue("$payload", message.Payload);
            command.Parameters.AddWithValue("$received", message.ReceivedAt.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$expires", message.ExpiresAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
            return unexpired == 0 ? EnqueueResult.StoredAsHead : EnqueueResult.Stored;
        }, cancellationToken);

    public ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(() => PeekLockedAsync(receiveId, now, cancellationToken), cancellationToken);

    public ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            // Under the gate nothing else runs between the three statements: they are one step.
            var head = await PeekLockedAsync(receiveId, now, cancellationToken);
            if (head is null || head.Id != messageId)
            {
                return new AckResult(false, head);
            }

            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM messages WHERE receive_id = $receive AND message_id = $id";
            delete.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            delete.Parameters.AddWithValue("$id", messageId.ToBytes());
            MarkErased(await delete.ExecuteNonQueryAsync(cancellationToken));
            return new AckResult(true, await PeekLockedAsync(receiveId, now, cancellationToken));
        }, cancellationToken);

    private async Task<StoredMessage?> PeekLockedAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT message_id, payload, received_at, expires_at FROM messages
            WHERE receive_id = $receive AND expires_at > $now ORDER BY seq LIMIT 1
            """;
        command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredMessage(
            OpaqueId.FromBytes((byte[])reader[0]),
            (byte[])reader[1],
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    }

    public ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM messages WHERE receive_id = $receive AND message_id = $id";
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            command.Parameters.AddWithValue("$id", messageId.ToBytes());
            return MarkErased(await command.ExecuteNonQueryAsync(cancellationToken)) > 0;
        }, cancellationToken);

    public ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM messages WHERE expires_at <= $now";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return MarkErased(await command.ExecuteNonQueryAsync(cancellationToken));
        }, cancellationToken);

    public ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM messages WHERE receive_id = $receive AND expires_at > $now";
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
        }, cancellationToken);

    public ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT (SELECT COUNT(*) FROM mailboxes), (SELECT COUNT(*) FROM messages WHERE expires_at > $now)";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new MailboxStoreTotals(reader.GetInt64(0), reader.GetInt64(1));
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopErasureLoopAsync();
        await gate.WaitAsync();
        try
        {
            if (disposed)
            {
                return;
            }

            disposed = true;

            // A checkpoint folds the WAL back into the main file, so a clean stop leaves one file.
            await CheckpointAsync(connection, CancellationToken.None);
            await connection.DisposeAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    private ValueTask<MailboxRecord?> FindAsync(string column, OpaqueId id, CancellationToken cancellationToken) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                $"SELECT receive_id, send_id, recipient_key, sender_key, lifetime_seconds, quota FROM mailboxes WHERE {column} = $id";
            command.Parameters.AddWithValue("$id", id.ToBytes());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            return new MailboxRecord(
                OpaqueId.FromBytes((byte[])reader[0]),
                OpaqueId.FromBytes((byte[])reader[1]),
                (byte[])reader[2],
                reader.IsDBNull(3) ? null : (byte[])reader[3],
                (uint)reader.GetInt64(4),
                reader.GetInt32(5));
        }, cancellationToken);

    private async Task<bool> ExistsAsync(OpaqueId receiveId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM mailboxes WHERE receive_id = $receive";
        command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private async ValueTask<T> Locked<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return await operation();
        }
        finally
        {
            gate.Release();
        }
    }
}
