using Npgsql;

namespace Purr.Storage.Postgres;

/// <summary>
/// Versioned migrations, applied at open in order, each in its own transaction, under an advisory lock so
/// several purrd processes starting at once apply each migration once. `purr_schema` records the version;
/// a database newer than this build is refused rather than guessed at.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Any number unique to Purr: the advisory lock that serialises migrations across processes.</summary>
    private const long MigrationLock = 0x50757272_0001;

    /// <summary>Each entry takes the schema from its index to the next version. Append only: never edit a released one.</summary>
    internal static readonly string[] Migrations =
    [
        // 1: mailboxes and messages (no creation times, no sender information: only what delivery needs),
        //    persistent rooms, and registration (invites, spent token hashes, accounts).
        """
        CREATE TABLE mailboxes (
            receive_id       bytea PRIMARY KEY,
            send_id          bytea NOT NULL UNIQUE,
            recipient_key    bytea NOT NULL,
            sender_key       bytea,
            lifetime_seconds bigint NOT NULL,
            quota            integer NOT NULL
        );
        CREATE TABLE messages (
            seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            receive_id  bytea NOT NULL REFERENCES mailboxes (receive_id) ON DELETE CASCADE,
            message_id  bytea NOT NULL,
            payload     bytea NOT NULL,
            received_at bigint NOT NULL,
            expires_at  bigint NOT NULL
        );
        CREATE INDEX messages_by_mailbox ON messages (receive_id, seq);
        CREATE INDEX messages_by_expiry ON messages (expires_at);
        CREATE TABLE rooms (
            room_id bytea PRIMARY KEY,
            listed  boolean NOT NULL,
            state   bytea NOT NULL
        );
        CREATE TABLE invites (
            id          text PRIMARY KEY,
            secret_hash bytea NOT NULL UNIQUE,
            label       text NOT NULL,
            tokens_left integer NOT NULL,
            created_at  bigint NOT NULL,
            expires_at  bigint
        );
        CREATE TABLE spent_tokens (token_hash bytea PRIMARY KEY);
        CREATE TABLE accounts (
            name          text PRIMARY KEY,
            password_hash text NOT NULL,
            created_at    bigint NOT NULL
        );
        """,

        // 2: a version per room, so processes change a room by compare-and-set and never overwrite each other.
        """
        ALTER TABLE rooms ADD COLUMN version bigint NOT NULL DEFAULT 1;
        """,

        // 3: mailbox block lists: keyed hashes of block tags, going with their mailbox.
        """
        CREATE TABLE mailbox_blocks (
            seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            receive_id bytea NOT NULL REFERENCES mailboxes (receive_id) ON DELETE CASCADE,
            tag_hash   bytea NOT NULL,
            UNIQUE (receive_id, tag_hash)
        );
        """,

        // 4: handles (a public name for a contact address) and their directory listings.
        """
        CREATE TABLE handles (
            name         text PRIMARY KEY,
            address_link text NOT NULL,
            address_key  bytea NOT NULL UNIQUE,
            listed       boolean NOT NULL DEFAULT false,
            description  text NOT NULL DEFAULT '',
            free_until   bigint NOT NULL DEFAULT 0
        );
        """,
    ];

    internal static int Version => Migrations.Length;

    /// <summary>The database's schema version now (0 for an empty database).</summary>
    public static async Task<int> CurrentAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using (var exists = source.CreateCommand("SELECT to_regclass('purr_schema') IS NOT NULL"))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return 0;
            }
        }

        await using var command = source.CreateCommand("SELECT coalesce(max(version), 0) FROM purr_schema");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
    }

    public static async Task MigrateAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS purr_schema (version integer NOT NULL)", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLock})", connection, transaction))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            int current;
            await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM purr_schema", connection, transaction))
            {
                current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken));
            }

            if (current > Version)
            {
                throw new InvalidOperationException(
                    $"the database has schema version {current}, newer than this purrd knows ({Version}); upgrade purrd");
            }

            if (current == Version)
            {
                await transaction.CommitAsync(cancellationToken);
                return;
            }

            await using (var migrate = new NpgsqlCommand(Migrations[current], connection, transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("DELETE FROM purr_schema; INSERT INTO purr_schema (version) VALUES (@v)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", current + 1);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }
}
