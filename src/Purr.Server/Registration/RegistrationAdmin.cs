using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Purr.Core.Registration;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Identity;

namespace Purr.Server.Registration;

/// <summary>What purrctl's invites and accounts commands do. The operator sees invites and account names; never a mailbox.</summary>
internal sealed class RegistrationAdmin(
    IOptions<RegistrationOptions> options, IRegistrationStore store, ServerIdentity identity, IServer server, TimeProvider time)
{
    public const string InvitePrefix = "purr:invite/";
    private const int MaxInviteTokens = 1_000_000;
    private const int MaxLabelLength = 200;

    public RegistrationPolicyKind Policy => options.Value.Policy;

    /// <summary>A new invite and its link, which is shown this once: the store keeps only the secret's hash.</summary>
    public async Task<(InviteRecord Invite, string Link)> CreateInviteAsync(int? tokens, TimeSpan? lifetime, string label, CancellationToken cancellationToken)
    {
        var count = tokens ?? options.Value.DefaultInviteTokens;
        if (count is < 1 or > MaxInviteTokens)
        {
            throw new ArgumentException($"tokens must be 1 to {MaxInviteTokens}");
        }

        if (lifetime is { } span && span <= TimeSpan.Zero)
        {
            throw new ArgumentException("the invite's lifetime must be positive");
        }

        if (label.Length > MaxLabelLength)
        {
            throw new ArgumentException($"a label is at most {MaxLabelLength} characters");
        }

        var secret = new byte[RedeemInviteHandler.SecretBytes];
        SecureRandom.Fill(secret);
        var id = new byte[5];
        SecureRandom.Fill(id);
        var now = time.GetUtcNow();
        var invite = new InviteRecord(Convert.ToHexStringLower(id), InviteSecrets.Hash(secret), label, count, now, now + lifetime);
        await store.AddInviteAsync(invite, cancellationToken);
        return (invite, InviteLink(secret));
    }

    public async Task<IReadOnlyList<InviteRecord>> ListInvitesAsync(CancellationToken cancellationToken) => await store.ListInvitesAsync(cancellationToken);

    public async Task<bool> RevokeInviteAsync(string id, CancellationToken cancellationToken) => await store.RevokeInviteAsync(id, cancellationToken);

    public async Task<bool> AddAccountAsync(string name, string password, CancellationToken cancellationToken)
    {
        CheckAccount(name, password);
        var hash = await Task.Run(() => Argon2idPasswordHash.Hash(password, Argon2id.Interactive), cancellationToken);
        return await store.AddAccountAsync(new AccountRecord(name, hash, time.GetUtcNow()), cancellationToken);
    }

    public async Task<bool> SetAccountPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        CheckAccount(name, password);
        var hash = await Task.Run(() => Argon2idPasswordHash.Hash(password, Argon2id.Interactive), cancellationToken);
        return await store.SetAccountPasswordAsync(name, hash, cancellationToken);
    }

    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken) => await store.ListAccountsAsync(cancellationToken);

    public async Task<bool> RemoveAccountAsync(string name, CancellationToken cancellationToken) => await store.RemoveAccountAsync(name, cancellationToken);

    private static void CheckAccount(string name, string password)
    {
        if (AccountNames.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        if (password.Length < AccountNames.MinPasswordLength || Encoding.UTF8.GetByteCount(password) > AccountNames.MaxPasswordBytes)
        {
            throw new ArgumentException($"an account password is at least {AccountNames.MinPasswordLength} characters and at most {AccountNames.MaxPasswordBytes} bytes");
        }
    }

    /// <summary>purr:invite/&lt;base64url(the server's purr:// address)&gt;#&lt;base64url(secret)&gt;</summary>
    private string InviteLink(byte[] secret)
    {
        var (host, port) = PublicHost();
        var address = new PurrAddress(identity.IdentityKey, host, port).ToString();
        return $"{InvitePrefix}{Base64Url.Encode(Encoding.UTF8.GetBytes(address))}#{Base64Url.Encode(secret)}";
    }

    private (string Host, int Port) PublicHost()
    {
        if (options.Value.PublicHost is { Length: > 0 } configured)
        {
            var uri = new Uri("http://" + configured);
            return (uri.Host, uri.Port);
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("purrd listens nowhere yet; set Registration:PublicHost");
        var url = new Uri(listening.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        return (url.Host, url.Port);
    }
}
