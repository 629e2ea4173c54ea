using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Sqlite;

/// <summary>Mailbox block lists (schema version 5): keyed hashes of block tags, oldest first by seq.</summary>
public sealed partial class SqliteStore : IMailboxBlockStore
{
    public ValueTask<bool> UpdateBlocksAsync(OpaqueId receiveId, IReadOnlyList<byte[]> hashes, bool clear, int max, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            if (!await ExistsAsync(receiveId, cancellationToken))
            {
                return false;
            }

            await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            if (clear)
            {
                command.CommandText = "DELETE FROM mailbox_blocks WHERE receive_id = $receive";
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            command.CommandText = "INSERT OR IGNORE INTO mailbox_blocks (receive_id, tag_hash) VALUES ($receive, $hash)";
            var hash = command.Parameters.Add("$hash", Microsoft.Data.Sqlite.SqliteType.Blob);
            foreach (var value in hashes)
            {
                hash.Value = value;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            command.Parameters.Remove(hash);
            command.CommandText = """
                DELETE FROM mailbox_blocks WHERE receive_id = $receive AND seq NOT IN
                    (SELECT seq FROM mailbox_blocks WHERE receive_id = $receive ORDER BY seq DESC LIMIT $max)
                """;
            command.Parameters.AddWithValue("$max", max);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public ValueTask<BlockCheck> CheckBlockAsync(OpaqueId receiveId, byte[]? hash, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT count(*), coalesce(sum(tag_hash = $hash), 0) FROM mailbox_blocks WHERE receive_id = $receive
                """;
            command.Parameters.AddWithValue("$receive", receiveId.ToBytes());
            command.Parameters.AddWithValue("$hash", (object?)hash ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new BlockCheck(reader.GetInt32(0), hash is not null && reader.GetInt64(1) > 0);
        }, cancellationToken);
}
