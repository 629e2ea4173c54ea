namespace Purr.Core.Registration;

/// <summary>
/// What a registration policy keeps: the operator's invites, spent creation tokens (a hash each, nothing
/// else) and accounts. Nothing here names a mailbox or room: a spent token or an account check leaves no
/// link to what it created. Every backend passes the same contract tests.
/// </summary>
public interface IRegistrationStore
{
    ValueTask AddInviteAsync(InviteRecord invite, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<InviteRecord>> ListInvitesAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the invite with this id; false when there is none.</summary>
    ValueTask<bool> RevokeInviteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically takes up to <paramref name="wanted"/> tokens from the invite whose secret hashes to
    /// <paramref name="secretHash"/>: the number taken (0 when it is unknown, expired at <paramref name="now"/> or
    /// used up) and what it has left.
    /// </summary>
    ValueTask<(int Taken, int Left)> TakeInviteTokensAsync(byte[] secretHash, int wanted, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records a token as spent; false when it was spent before (the check and the record are one step).</summary>
    ValueTask<bool> SpendTokenAsync(byte[] tokenHash, CancellationToken cancellationToken = default);

    /// <summary>False when an account with this name exists.</summary>
    ValueTask<bool> AddAccountAsync(AccountRecord account, CancellationToken cancellationToken = default);

    ValueTask<AccountRecord?> FindAccountAsync(string name, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default);

    ValueTask<bool> RemoveAccountAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>False when there is no such account.</summary>
    ValueTask<bool> SetAccountPasswordAsync(string name, string passwordHash, CancellationToken cancellationToken = default);
}

/// <summary>
/// An operator's invite. Only the hash of its secret is kept: the link itself is shown once, at creation.
/// <paramref name="Id"/> is a short public name for listing and revoking.
/// </summary>
public sealed record InviteRecord(
    string Id, byte[] SecretHash, string Label, int TokensLeft, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A named account (policy "accounts"): an Argon2id hash in libsodium's string form.</summary>
public sealed record AccountRecord(string Name, string PasswordHash, DateTimeOffset CreatedAt);
