using System.Text;
using Microsoft.Extensions.Options;
using Purr.Core.Registration;
using Purr.Crypto;
using Purr.Crypto.BlindRsa;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Routing;
using Purr.Server.Transport;

namespace Purr.Server.Registration;

/// <summary>
/// The one place that decides whether a request may create a mailbox or a room, by the server's registration
/// policy. Mailboxes and rooms ask it just before they create anything, after their own checks, so a refused
/// request changes nothing and a credential is spent only on a creation that goes ahead.
/// </summary>
internal sealed class CreationGate : IDisposable
{
    internal const int NonceBytes = 32;
    private static readonly Argon2Cost AccountCost = Argon2id.Interactive;

    private readonly RegistrationOptions options;
    private readonly IRegistrationStore store;
    private readonly TokenKeys keys;
    private readonly PasswordHashPool accountChecks;
    private readonly byte[] passwordKey = new byte[32];
    private readonly byte[]? passwordDigest;
    private readonly Lazy<string> absentAccountHash = new(() => Argon2idPasswordHash.Hash("no such account", AccountCost));

    public CreationGate(IOptions<RegistrationOptions> options, IRegistrationStore store, TokenKeys keys, TimeProvider time)
    {
        this.options = options.Value;
        this.store = store;
        this.keys = keys;
        accountChecks = new PasswordHashPool(this.options.PasswordHashConcurrency, this.options.PasswordHashQueue, this.options.PasswordChecksPerMinutePerIp, time);
        SecureRandom.Fill(passwordKey);
        if (this.options.Password is { } password)
        {
            passwordDigest = Digest(password);
        }
    }

    public RegistrationPolicyKind Policy => options.Policy;

    /// <summary>Null when the request may create; otherwise the error to answer with.</summary>
    public async ValueTask<ServerFrame?> AdmitAsync(RequestContext context, Purr.Protocol.V1.Registration? credential, CancellationToken cancellationToken)
    {
        var given = credential?.CredentialCase ?? Purr.Protocol.V1.Registration.CredentialOneofCase.None;
        switch (options.Policy)
        {
            case RegistrationPolicyKind.Open:
                return null;
            case RegistrationPolicyKind.Closed:
                return Responses.Error(ErrorCode.RegistrationClosed, "this server takes no new mailboxes or rooms");
            case RegistrationPolicyKind.Password:
                if (given != Purr.Protocol.V1.Registration.CredentialOneofCase.ServerPassword)
                {
                    return Required("this server asks for its password (registration.server_password)");
                }

                return ConstantTime.Equal(Digest(credential!.ServerPassword), passwordDigest!) ? null : Refused("wrong server password");
            case RegistrationPolicyKind.Invite:
                if (given != Purr.Protocol.V1.Registration.CredentialOneofCase.Token)
                {
                    return Required("this server asks for a creation token from an invite (registration.token)");
                }

                return await SpendTokenAsync(credential!.Token, cancellationToken);
            case RegistrationPolicyKind.Accounts:
                if (given != Purr.Protocol.V1.Registration.CredentialOneofCase.Account)
                {
                    return Required("this server asks for an account name and password (registration.account)");
                }

                return await CheckAccountAsync(context, credential!.Account, cancellationToken);
            default:
                throw new InvalidOperationException("unknown registration policy");
        }
    }

    public void Dispose() => accountChecks.Dispose();

    internal static byte[] TokenHash(ReadOnlySpan<byte> keyId, ReadOnlySpan<byte> nonce) => Blake2b.Hash([.. keyId, .. nonce], 32);

    private async ValueTask<ServerFrame?> SpendTokenAsync(CreationToken token, CancellationToken cancellationToken)
    {
        var key = keys.Key!.PublicKey;
        if (token.Nonce.Length != NonceBytes || token.Signature.Length != key.ModulusBytes)
        {
            return Responses.InvalidArgument($"a creation token has a {NonceBytes}-byte nonce and a {key.ModulusBytes}-byte signature");
        }

        if (!token.KeyId.Span.SequenceEqual(key.KeyId))
        {
            return Refused("this creation token is for another token key; redeem the invite again");
        }

        if (!BlindRsaSignatures.Verify(key, SignedBytes.CreationToken(key.KeyId, token.Nonce.Span), token.Signature.Span))
        {
            return Refused("not a valid creation token");
        }

        return await store.SpendTokenAsync(TokenHash(key.KeyId, token.Nonce.Span), cancellationToken)
            ? null
            : Refused("this creation token was spent already");
    }

    private async ValueTask<ServerFrame?> CheckAccountAsync(RequestContext context, AccountCredential credential, CancellationToken cancellationToken)
    {
        if (credential.Name.Length is 0 or > AccountNames.MaxLength || Encoding.UTF8.GetByteCount(credential.Password) > AccountNames.MaxPasswordBytes)
        {
            return Responses.InvalidArgument($"an account name is 1 to {AccountNames.MaxLength} characters and its password at most {AccountNames.MaxPasswordBytes} bytes");
        }

        // An unknown name costs the same hash as a known one, so timing does not tell which names exist.
        var account = await store.FindAccountAsync(credential.Name, cancellationToken);
        var matches = await accountChecks.VerifyAsync(
            context.Session.RemoteAddress, account?.PasswordHash ?? absentAccountHash.Value, credential.Password, cancellationToken);
        return matches switch
        {
            null => Responses.Error(ErrorCode.RateLimited, "too many account checks from your address or the server is busy; try again later"),
            true when account is not null => null,
            _ => Refused("unknown account or wrong password"),
        };
    }

    /// <summary>A keyed hash, so the comparison is of equal lengths whatever the password's length.</summary>
    private byte[] Digest(string password)
    {
        var digest = new byte[32];
        Blake2b.Hash(Encoding.UTF8.GetBytes(password), digest, passwordKey);
        return digest;
    }

    private static ServerFrame Required(string detail) => Responses.Error(ErrorCode.RegistrationRequired, detail);

    private static ServerFrame Refused(string detail) => Responses.Error(ErrorCode.RegistrationRefused, detail);
}
