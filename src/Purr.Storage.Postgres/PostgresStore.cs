using Npgsql;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Postgres;

/// <summary>
/// Mailboxes (and persistent rooms and registration, the other parts of this class) in PostgreSQL, for
/// several purrd processes sharing one database. Each operation is one statement or one transaction on a
/// pooled connection, so it is atomic across processes as well as within one: a sender's quota check and
/// insert hold the mailbox row's lock, an acknowledgement deletes the head and reads the next in one
/// statement. Times are stored as Unix milliseconds (expiry) and seconds (arrival minute), as with SQLite.
/// </summary>
public sealed partial class PostgresStore : IMailboxStore
{
    private readonly NpgsqlDataSource source;

    private PostgresStore(NpgsqlDataSource source) => this.source = source;

    /// <summary>Connects (pooled), applies pending schema migrations and returns the store.</summary>
    public static async Task<PostgresStore> OpenAsync(PostgresStoreOptions options, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (options.MaxPoolSize is { } pool)
        {
            builder.MaxPoolSize = pool;
        }

        // The name in pg_stat_activity, so an operator sees which connections are purrd's.
        builder.ApplicationName ??= "purrd";
        var source = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            await PostgresSchema.MigrateAsync(source, cancellationToken);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }

        return new PostgresStore(source);
    }

    /// <summary>The schema version this build migrates to.</summary>
    public static int SchemaVersion => PostgresSchema.Version;

    /// <summary>
    /// Applies pending migrations without keeping a store open (`purrctl migrate`): the version before and after.
    /// </summary>
    public static async Task<(int Before, int After)> MigrateAsync(PostgresStoreOptions options, CancellationToken cancellationToken = default)
    {
        await using var source = NpgsqlDataSource.Create(options.ConnectionString);
        var before = await PostgresSchema.CurrentAsync(source, cancellationToken);
        await PostgresSchema.MigrateAsync(source, cancellationToken);
        return (before, PostgresSchema.Version);
    }

    public async ValueTask<bool> CreateMailboxAsync(MailboxRecord mailbox, CancellationToken cancellationToken = default)
    {
        // An id must not collide with either id of any mailbox (the constraints cover each column alone).
        await using var command = source.CreateCommand("""
            INSERT INTO mailboxes (receive_id, send_id, recipient_key, sender_key, lifetime_seconds, quota)
            SELECT @receive, @send, @recipient, @sender, @lifetime, @quota
            WHERE NOT EXISTS (SELECT 1 FROM mailboxes WHERE receive_id IN (@receive, @send) OR send_id IN (@receive, @send))
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("receive", mailbox.ReceiveId.ToBytes());
        command.Parameters.AddWithValue("send", mailbox.SendId.ToBytes());
        command.Parameters.AddWithValue("recipient", mailbox.RecipientKey);
        command.Parameters.Add(new NpgsqlParameter("sender", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)mailbox.SenderKey ?? DBNull.Value });
        command.Parameters.AddWithValue("lifetime", (long)mailbox.LifetimeSeconds);
        command.Parameters.AddWithValue("quota", mailbox.Quota);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public ValueTask<MailboxRecord?> FindByReceiveIdAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        FindAsync("receive_id", receiveId, cancellationToken);

    public ValueTask<MailboxRecord?> FindBySendIdAsync(OpaqueId sendId, CancellationToken cancellationToken = default) =>
        FindAsync("send_id", sendId, cancellationToken);

    public async ValueTask<SecureResult> SecureMailboxAsync(OpaqueId receiveId, byte[] senderKey, CancellationToken cancellationToken = default)
    {
        // The condition is on the row itself: PostgreSQL re-checks it on the newest version after taking the row's
        // lock, so of two different keys racing, one wins and the other is AlreadySecured.
        await using var command = source.CreateCommand("""
            UPDATE mailboxes SET sender_key = @sender
            WHERE receive_id = @receive AND (sender_key IS NULL OR sender_key = @sender)
            """);
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        command.Parameters.AddWithValue("sender", senderKey);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return SecureResult.Secured;
        }

        return await FindByReceiveIdAsync(receiveId, cancellationToken) is null ? SecureResult.NotFound : SecureResult.AlreadySecured;
    }

    public async ValueTask<bool> DeleteMailboxAsync(OpaqueId receiveId, CancellationToken cancellationToken = default)
    {
        // Its messages go with it (ON DELETE CASCADE), in the same statement.
        await using var command = source.CreateCommand("DELETE FROM mailboxes WHERE receive_id = @receive");
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<EnqueueResult> EnqueueAsync(
        OpaqueId receiveId, StoredMessage message, int quota, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // One round trip, one implicit transaction, two statements: the first takes the mailbox row's lock, which
        // serialises senders to one mailbox across every process; the second, with its own snapshot taken after
        // the lock, counts and inserts only below the quota, and says how many there were before (counting no further
        // than the quota, so a send reads at most that many rows however far behind its recipient is).
        await using var batch = source.CreateBatch();
        var lockRow = new NpgsqlBatchCommand("SELECT 1 FROM mailboxes WHERE receive_id = @receive FOR UPDATE");
        lockRow.Parameters.AddWithValue("receive", receiveId.ToBytes());
        var insert = new NpgsqlBatchCommand("""
            WITH unexpired AS (SELECT count(*) AS n FROM (SELECT 1 FROM messages WHERE receive_id = @receive AND expires_at > @now LIMIT @quota) AS below),
                 inserted AS (INSERT INTO messages (receive_id, message_id, payload, received_at, expires_at)
                              SELECT @receive, @id, @payload, @received, @expires FROM unexpired
                              WHERE unexpired.n < @quota AND EXISTS (SELECT 1 FROM mailboxes WHERE receive_id = @receive)
                              RETURNING 1)
            SELECT (SELECT n FROM unexpired), (SELECT count(*) FROM inserted)
            """);
        insert.Parameters.AddWithValue("receive", receiveId.ToBytes());
        insert.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("id", message.Id.ToBytes());
        insert.Parameters.AddWithValue("payload", message.Payload);
        insert.Parameters.AddWithValue("received", message.ReceivedAt.ToUnixTimeSeconds());
        insert.Parameters.AddWithValue("expires", message.ExpiresAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("quota", (long)quota);
        batch.BatchCommands.Add(lockRow);
        batch.BatchCommands.Add(insert);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var exists = await reader.ReadAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var before = reader.GetInt64(0);
        var stored = reader.GetInt64(1) == 1;
        return !exists ? EnqueueResult.NotFound
            : !stored ? EnqueueResult.QuotaExceeded
            : before == 0 ? EnqueueResult.StoredAsHead
            : EnqueueResult.Stored;
    }

    public async ValueTask<StoredMessage?> PeekAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("""
            SELECT message_id, payload, received_at, expires_at FROM messages
            WHERE receive_id = @receive AND expires_at > @now ORDER BY seq LIMIT 1
            """);
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadMessage(reader, 0) : null;
    }

    public async ValueTask<AckResult> AcknowledgeAsync(OpaqueId receiveId, OpaqueId messageId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // One round trip, one implicit transaction: delete the head if it is messageId, then read the head as it is
        // now (the second statement's snapshot sees the first's delete). Two acks racing for one head delete it once.
        await using var batch = source.CreateBatch();
        var delete = new NpgsqlBatchCommand("""
            DELETE FROM messages
            WHERE seq = (SELECT seq FROM messages WHERE receive_id = @receive AND expires_at > @now ORDER BY seq LIMIT 1)
              AND message_id = @id
            """);
        delete.Parameters.AddWithValue("receive", receiveId.ToBytes());
        delete.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        delete.Parameters.AddWithValue("id", messageId.ToBytes());
        var head = new NpgsqlBatchCommand("""
            SELECT message_id, payload, received_at, expires_at FROM messages
            WHERE receive_id = @receive AND expires_at > @now ORDER BY seq LIMIT 1
            """);
        head.Parameters.AddWithValue("receive", receiveId.ToBytes());
        head.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(head);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var next = await reader.ReadAsync(cancellationToken) ? ReadMessage(reader, 0) : null;
        await reader.CloseAsync();
        return new AckResult(delete.RecordsAffected == 1, next);
    }

    public async ValueTask<bool> DeleteMessageAsync(OpaqueId receiveId, OpaqueId messageId, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("DELETE FROM messages WHERE receive_id = @receive AND message_id = @id");
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        command.Parameters.AddWithValue("id", messageId.ToBytes());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async ValueTask<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("DELETE FROM messages WHERE expires_at <= @now");
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<int> CountMessagesAsync(OpaqueId receiveId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT count(*) FROM messages WHERE receive_id = @receive AND expires_at > @now");
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask<MailboxStoreTotals> TotalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT (SELECT count(*) FROM mailboxes), (SELECT count(*) FROM messages WHERE expires_at > @now)");
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new MailboxStoreTotals(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Whether the database answers a trivial query (for /readyz).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("SELECT 1");
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();

    private async ValueTask<MailboxRecord?> FindAsync(string column, OpaqueId id, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(
            $"SELECT receive_id, send_id, recipient_key, sender_key, lifetime_seconds, quota FROM mailboxes WHERE {column} = @id");
        command.Parameters.AddWithValue("id", id.ToBytes());
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
    }

    private static StoredMessage ReadMessage(NpgsqlDataReader reader, int offset) => new(
        OpaqueId.FromBytes((byte[])reader[offset]),
        (byte[])reader[offset + 1],
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(offset + 2)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(offset + 3)));
}
