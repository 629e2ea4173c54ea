using Npgsql;
using Purr.Core.Registration;

namespace Purr.Storage.Postgres;

/// <summary>Invites, spent creation tokens and accounts.</summary>
public sealed partial class PostgresStore : IRegistrationStore
{
    public async ValueTask AddInviteAsync(InviteRecord invite, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO invites (id, secret_hash, label, tokens_left, created_at, expires_at)
            VALUES (@id, @hash, @label, @left, @created, @expires)
            """);
        command.Parameters.AddWithValue("id", invite.Id);
        command.Parameters.AddWithValue("hash", invite.SecretHash);
        command.Parameters.AddWithValue("label", invite.Label);
        command.Parameters.AddWithValue("left", invite.TokensLeft);
        command.Parameters.AddWithValue("created", invite.CreatedAt.ToUnixTimeSeconds());
        command.Parameters.Add(new NpgsqlParameter("expires", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = invite.ExpiresAt is { } at ? at.ToUnixTimeSeconds() : DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<IReadOnlyList<InviteRecord>> ListInvitesAsync(CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT id, secret_hash, label, tokens_left, created_at, expires_at FROM invites ORDER BY created_at, id");
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
    }

    public ValueTask<bool> RevokeInviteAsync(string id, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM invites WHERE id = @a", id, null, cancellationToken);

    public async ValueTask<(int Taken, int Left)> TakeInviteTokensAsync(byte[] secretHash, int wanted, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // The old row is read under its lock in the same statement: concurrent redemptions on any process
        // queue on it, and never give more than the invite holds.
        await using var command = source.CreateCommand("""
            UPDATE invites i SET tokens_left = i.tokens_left - least(@wanted, old.had)
            FROM (SELECT id, tokens_left AS had FROM invites
                  WHERE secret_hash = @hash AND (expires_at IS NULL OR expires_at > @now) FOR UPDATE) AS old
            WHERE i.id = old.id
            RETURNING least(@wanted, old.had), i.tokens_left
            """);
        command.Parameters.AddWithValue("hash", secretHash);
        command.Parameters.AddWithValue("wanted", wanted);
        command.Parameters.AddWithValue("now", now.ToUnixTimeSeconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt32(0), reader.GetInt32(1)) : (0, 0);
    }

    public ValueTask<bool> SpendTokenAsync(byte[] tokenHash, CancellationToken cancellationToken = default) =>
        ExecuteAsync("INSERT INTO spent_tokens (token_hash) VALUES (@a) ON CONFLICT DO NOTHING", tokenHash, null, cancellationToken);

    public async ValueTask<bool> AddAccountAsync(AccountRecord account, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("INSERT INTO accounts (name, password_hash, created_at) VALUES (@name, @hash, @created) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("name", account.Name);
        command.Parameters.AddWithValue("hash", account.PasswordHash);
        command.Parameters.AddWithValue("created", account.CreatedAt.ToUnixTimeSeconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async ValueTask<AccountRecord?> FindAccountAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadAccountsAsync("WHERE name = @name", name, cancellationToken)).SingleOrDefault();

    public async ValueTask<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default) =>
        await ReadAccountsAsync("ORDER BY name", null, cancellationToken);

    public ValueTask<bool> RemoveAccountAsync(string name, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM accounts WHERE name = @a", name, null, cancellationToken);

    public ValueTask<bool> SetAccountPasswordAsync(string name, string passwordHash, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE accounts SET password_hash = @b WHERE name = @a", name, passwordHash, cancellationToken);

    private async Task<List<AccountRecord>> ReadAccountsAsync(string clause, string? name, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"SELECT name, password_hash, created_at FROM accounts {clause}");
        if (name is not null)
        {
            command.Parameters.AddWithValue("name", name);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<AccountRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new AccountRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2))));
        }

        return accounts;
    }

    /// <summary>One statement with up to two parameters (@a, @b); true when it changed exactly one row.</summary>
    private async ValueTask<bool> ExecuteAsync(string sql, object a, object? b, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(sql);
        command.Parameters.AddWithValue("a", a);
        if (b is not null)
        {
            command.Parameters.AddWithValue("b", b);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
