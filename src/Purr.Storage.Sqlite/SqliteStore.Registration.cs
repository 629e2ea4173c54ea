using Purr.Core.Registration;

namespace Purr.Storage.Sqlite;

/// <summary>Invites, spent creation tokens and accounts (schema version 3).</summary>
public sealed partial class SqliteStore : IRegistrationStore
{
    public ValueTask AddInviteAsync(InviteRecord invite, CancellationToken cancellationToken = default) =>
        new(Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO invites (id, secret_hash, label, tokens_left, created_at, expires_at)
                VALUES ($id, $hash, $label, $left, $created, $expires)
                """;
            command.Parameters.AddWithValue("$id", invite.Id);
            command.Parameters.AddWithValue("$hash", invite.SecretHash);
            command.Parameters.AddWithValue("$label", invite.Label);
            command.Parameters.AddWithValue("$left", invite.TokensLeft);
            command.Parameters.AddWithValue("$created", invite.CreatedAt.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$expires", invite.ExpiresAt is { } expires ? expires.ToUnixTimeSeconds() : DBNull.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken).AsTask());

    public ValueTask<IReadOnlyList<InviteRecord>> ListInvitesAsync(CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<InviteRecord>>(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, secret_hash, label, tokens_left, created_at, expires_at FROM invites ORDER BY created_at, id";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var invites = new List<InviteRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                invites.Add(new InviteRecord(
                    reader.GetString(0), (byte[])reader[1], reader.GetString(2), reader.GetInt32(3),
                    DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
                    reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5))));
            }

            return invites;
        }, cancellationToken);

    public ValueTask<bool> RevokeInviteAsync(string id, CancellationToken cancellationToken = default) =>
        Execute("DELETE FROM invites WHERE id = $a", id, null, cancellationToken);

    public ValueTask<(int Taken, int Left)> TakeInviteTokensAsync(byte[] secretHash, int wanted, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            // Under the store's one gate, so the read and the decrement cannot interleave with another redemption.
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT tokens_left FROM invites WHERE secret_hash = $hash AND (expires_at IS NULL OR expires_at > $now)";
            read.Parameters.AddWithValue("$hash", secretHash);
            read.Parameters.AddWithValue("$now", now.ToUnixTimeSeconds());
            if (await read.ExecuteScalarAsync(cancellationToken) is not long had)
            {
                return (0, 0);
            }

            var taken = (int)Math.Min(wanted, had);
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE invites SET tokens_left = tokens_left - $taken WHERE secret_hash = $hash";
            update.Parameters.AddWithValue("$hash", secretHash);
            update.Parameters.AddWithValue("$taken", taken);
            await update.ExecuteNonQueryAsync(cancellationToken);
            return (taken, (int)had - taken);
        }, cancellationToken);

    public ValueTask<bool> SpendTokenAsync(byte[] tokenHash, CancellationToken cancellationToken = default) =>
        Execute("INSERT OR IGNORE INTO spent_tokens (token_hash) VALUES ($a)", tokenHash, null, cancellationToken);

    public ValueTask<bool> AddAccountAsync(AccountRecord account, CancellationToken cancellationToken = default) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO accounts (name, password_hash, created_at) VALUES ($name, $hash, $created)";
            command.Parameters.AddWithValue("$name", account.Name);
            command.Parameters.AddWithValue("$hash", account.PasswordHash);
            command.Parameters.AddWithValue("$created", account.CreatedAt.ToUnixTimeSeconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public async ValueTask<AccountRecord?> FindAccountAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadAccountsAsync("WHERE name = $name", name, cancellationToken)).SingleOrDefault();

    public async ValueTask<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default) =>
        await ReadAccountsAsync("ORDER BY name", null, cancellationToken);

    public ValueTask<bool> RemoveAccountAsync(string name, CancellationToken cancellationToken = default) =>
        Execute("DELETE FROM accounts WHERE name = $a", name, null, cancellationToken);

    public ValueTask<bool> SetAccountPasswordAsync(string name, string passwordHash, CancellationToken cancellationToken = default) =>
        Execute("UPDATE accounts SET password_hash = $b WHERE name = $a", name, passwordHash, cancellationToken);

    private ValueTask<List<AccountRecord>> ReadAccountsAsync(string clause, string? name, CancellationToken cancellationToken) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT name, password_hash, created_at FROM accounts {clause}";
            if (name is not null)
            {
                command.Parameters.AddWithValue("$name", name);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var accounts = new List<AccountRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                accounts.Add(new AccountRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2))));
            }

            return accounts;
        }, cancellationToken);

    /// <summary>One statement with up to two parameters ($a, $b); true when it changed a row.</summary>
    private ValueTask<bool> Execute(string sql, object a, object? b, CancellationToken cancellationToken) =>
        Locked(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$a", a);
            if (b is not null)
            {
                command.Parameters.AddWithValue("$b", b);
            }

            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
}
