using Microsoft.Data.Sqlite;
using Purr.Core.Handles;

namespace Purr.Storage.Sqlite;

/// <summary>Handles and their directory listings (schema version 6).</summary>
public sealed partial class SqliteStore : IHandleStore
{
    public ValueTask<HandleClaim> ClaimAsync(HandleRecord handle, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            // Under the store's one gate: the reads and the write cannot interleave with another claim.
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT address_key FROM handles WHERE name = $name";
            command.Parameters.AddWithValue("$name", handle.Name);
            command.Parameters.AddWithValue("$key", handle.AddressKey);
            command.Parameters.AddWithValue("$link", handle.AddressLink);
            if (await command.ExecuteScalarAsync(cancellationToken) is byte[] held)
            {
                if (!held.AsSpan().SequenceEqual(handle.AddressKey))
                {
                    return HandleClaim.Taken;
                }

                command.CommandText = "UPDATE handles SET address_link = $link WHERE name = $name";
                await command.ExecuteNonQueryAsync(cancellationToken);
                return HandleClaim.Updated;
            }

            command.CommandText = "SELECT 1 FROM handles WHERE address_key = $key";
            if (await command.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return HandleClaim.KeyHoldsAnother;
            }

            command.CommandText = "INSERT INTO handles (name, address_link, address_key) VALUES ($name, $link, $key)";
            await command.ExecuteNonQueryAsync(cancellationToken);
            return HandleClaim.Claimed;
        }, cancellationToken);

    public ValueTask<HandleRecord?> FindAsync(string name, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, address_link, address_key, listed, description, free_until FROM handles WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadHandle(reader) : null;
        }, cancellationToken);

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM handles WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public ValueTask<bool> SetListingAsync(string name, bool listed, string description, long freeUntil, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE handles SET listed = $listed, description = $description, free_until = $free WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$listed", listed);
            command.Parameters.AddWithValue("$description", listed ? description : "");
            command.Parameters.AddWithValue("$free", listed ? freeUntil : 0);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public ValueTask<IReadOnlyList<HandleRecord>> SearchAsync(string query, bool freeOnly, long now, int limit, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<HandleRecord>>(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT name, address_link, address_key, listed, description, free_until FROM handles
                WHERE listed = 1 AND ($free = 0 OR free_until > $now)
                  AND (name LIKE $prefix ESCAPE '\' OR lower(description) LIKE $prefix ESCAPE '\' OR lower(description) LIKE $word ESCAPE '\')
                ORDER BY name LIMIT $limit
                """;
            var escaped = query.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            command.Parameters.AddWithValue("$prefix", escaped + "%");
            command.Parameters.AddWithValue("$word", "% " + escaped + "%");
            command.Parameters.AddWithValue("$free", freeOnly);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var found = new List<HandleRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(ReadHandle(reader));
            }

            return found;
        }, cancellationToken);

    private static HandleRecord ReadHandle(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetBoolean(3), reader.GetString(4), reader.GetInt64(5));
}
