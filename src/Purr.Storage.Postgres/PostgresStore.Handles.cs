using Npgsql;
using Purr.Core.Handles;

namespace Purr.Storage.Postgres;

/// <summary>Handles and their directory listings (migration 4).</summary>
public sealed partial class PostgresStore : IHandleStore
{
    public async ValueTask<HandleClaim> ClaimAsync(HandleRecord handle, CancellationToken cancellationToken = default)
    {
        // One statement decides: insert when both the name and the key are free, else update a row this key holds.
        await using var command = source.CreateCommand("""
            WITH inserted AS (
                INSERT INTO handles (name, address_link, address_key) VALUES (@name, @link, @key) ON CONFLICT DO NOTHING RETURNING 1),
            updated AS (
                UPDATE handles SET address_link = @link WHERE name = @name AND address_key = @key AND NOT EXISTS (SELECT 1 FROM inserted) RETURNING 1)
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated),
                   EXISTS (SELECT 1 FROM handles WHERE name = @name), EXISTS (SELECT 1 FROM handles WHERE address_key = @key)
            """);
        command.Parameters.AddWithValue("name", handle.Name);
        command.Parameters.AddWithValue("link", handle.AddressLink);
        command.Parameters.AddWithValue("key", handle.AddressKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        // The EXISTS see the snapshot before this statement. Neither true means another process took the name meanwhile.
        return reader.GetInt64(0) > 0 ? HandleClaim.Claimed
            : reader.GetInt64(1) > 0 ? HandleClaim.Updated
            : reader.GetBoolean(2) ? HandleClaim.Taken
            : reader.GetBoolean(3) ? HandleClaim.KeyHoldsAnother
            : HandleClaim.Taken;
    }

    public async ValueTask<HandleRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT name, address_link, address_key, listed, description, free_until FROM handles WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadHandle(reader) : null;
    }

    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("DELETE FROM handles WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<bool> SetListingAsync(string name, bool listed, string description, long freeUntil, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("UPDATE handles SET listed = @listed, description = @description, free_until = @free WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("listed", listed);
        command.Parameters.AddWithValue("description", listed ? description : "");
        command.Parameters.AddWithValue("free", listed ? freeUntil : 0L);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<IReadOnlyList<HandleRecord>> SearchAsync(string query, bool freeOnly, long now, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("""
            SELECT name, address_link, address_key, listed, description, free_until FROM handles
            WHERE listed AND (NOT @free OR free_until > @now)
              AND (starts_with(name, @query) OR starts_with(lower(description), @query) OR position(' ' || @query IN lower(description)) > 0)
            ORDER BY name COLLATE "C" LIMIT @limit
            """);
        command.Parameters.AddWithValue("query", query);
        command.Parameters.AddWithValue("free", freeOnly);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<HandleRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(ReadHandle(reader));
        }

        return found;
    }

    private static HandleRecord ReadHandle(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetBoolean(3), reader.GetString(4), reader.GetInt64(5));
}
