using Purr.Core.Registration;

namespace Purr.Storage.Memory;

/// <summary>Invites, spent tokens and accounts in process memory, behind one lock (all of it is rare and small).</summary>
public sealed class MemoryRegistrationStore : IRegistrationStore
{
    private readonly Lock gate = new();
    private readonly List<InviteRecord> invites = [];
    private readonly HashSet<string> spent = [];
    private readonly Dictionary<string, AccountRecord> accounts = new(StringComparer.Ordinal);

    public ValueTask AddInviteAsync(InviteRecord invite, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            invites.Add(invite);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<InviteRecord>> ListInvitesAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult<IReadOnlyList<InviteRecord>>([.. invites]);
        }
    }

    public ValueTask<bool> RevokeInviteAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(invites.RemoveAll(i => i.Id == id) > 0);
        }
    }

    public ValueTask<(int Taken, int Left)> TakeInviteTokensAsync(byte[] secretHash, int wanted, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var index = invites.FindIndex(i => i.SecretHash.AsSpan().SequenceEqual(secretHash));
            if (index < 0 || invites[index].ExpiresAt <= now || invites[index].TokensLeft == 0)
            {
                return ValueTask.FromResult((0, index < 0 ? 0 : invites[index].TokensLeft));
            }

            var invite = invites[index];
            var taken = Math.Min(wanted, invite.TokensLeft);
            invites[index] = invite with { TokensLeft = invite.TokensLeft - taken };
            return ValueTask.FromResult((taken, invite.TokensLeft - taken));
        }
    }

    public ValueTask<bool> SpendTokenAsync(byte[] tokenHash, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(spent.Add(Convert.ToHexString(tokenHash)));
        }
    }

    public ValueTask<bool> AddAccountAsync(AccountRecord account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(accounts.TryAdd(account.Name, account));
        }
    }

    public ValueTask<AccountRecord?> FindAccountAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(accounts.GetValueOrDefault(name));
        }
    }

    public ValueTask<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult<IReadOnlyList<AccountRecord>>([.. accounts.Values.OrderBy(a => a.Name, StringComparer.Ordinal)]);
        }
    }

    public ValueTask<bool> RemoveAccountAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(accounts.Remove(name));
        }
    }

    public ValueTask<bool> SetAccountPasswordAsync(string name, string passwordHash, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!accounts.TryGetValue(name, out var account))
            {
                return ValueTask.FromResult(false);
            }

            accounts[name] = account with { PasswordHash = passwordHash };
            return ValueTask.FromResult(true);
        }
    }
}
