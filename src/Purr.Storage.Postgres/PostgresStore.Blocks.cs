using Npgsql;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Storage.Postgres;

/// <summary>Mailbox block lists (migration 3): keyed hashes of block tags, oldest first by seq.</summary>
public sealed partial class PostgresStore : IMailboxBlockStore
{
    public async ValueTask<bool> UpdateBlocksAsync(OpaqueId receiveId, IReadOnlyList<byte[]> hashes, bool clear, int max, CancellationToken cancellationToken = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM mailboxes WHERE receive_id = @receive FOR UPDATE", connection, transaction))
        {
            exists.Parameters.AddWithValue("receive", receiveId.ToBytes());
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }

        await using (var change = new NpgsqlCommand("""
            DELETE FROM mailbox_blocks WHERE receive_id = @receive AND @clear;
            INSERT INTO mailbox_blocks (receive_id, tag_hash) SELECT @receive, h FROM unnest(@hashes) AS h ON CONFLICT DO NOTHING;
            DELETE FROM mailbox_blocks WHERE receive_id = @receive AND seq NOT IN
                (SELECT seq FROM mailbox_blocks WHERE receive_id = @receive ORDER BY seq DESC LIMIT @max);
            """, connection, transaction))
        {
            change.Parameters.AddWithValue("receive", receiveId.ToBytes());
            change.Parameters.AddWithValue("clear", clear);
            change.Parameters.AddWithValue("hashes", hashes.ToArray());
            change.Parameters.AddWithValue("max", max);
            await change.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async ValueTask<BlockCheck> CheckBlockAsync(OpaqueId receiveId, byte[]? hash, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand(
            "SELECT count(*), coalesce(bool_or(tag_hash = @hash), false) FROM mailbox_blocks WHERE receive_id = @receive");
        command.Parameters.AddWithValue("receive", receiveId.ToBytes());
        command.Parameters.Add(new NpgsqlParameter("hash", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)hash ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new BlockCheck((int)reader.GetInt64(0), hash is not null && reader.GetBoolean(1));
    }
}
