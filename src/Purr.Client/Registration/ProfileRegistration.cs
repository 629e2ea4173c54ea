using Google.Protobuf;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Registration;

/// <summary>
/// A profile's credentials, as its connections need them: the server password or account when the server asks
/// for one, else one creation token, redeeming another batch from the profile's invite when none is left.
/// A token leaves the profile (which is saved) before it is sent, so no crash can send one twice.
/// </summary>
public sealed class ProfileRegistration(ProfileData data, Action save, IRandomSource? random = null) : IRegistrationCredentials, IDisposable
{
    /// <summary>Tokens asked for per redemption (servers allow 20 by default).</summary>
    public const int Batch = 10;

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly IRandomSource random = random ?? SystemRandomSource.Instance;

    public async ValueTask<Protocol.V1.Registration?> TakeAsync(PurrConnection connection, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var entry = For(data, connection.Address);
            switch (connection.RegistrationPolicy)
            {
                case RegistrationPolicy.Password when entry?.ServerPassword is { } password:
                    return new Protocol.V1.Registration { ServerPassword = password };
                case RegistrationPolicy.Accounts when entry is { AccountName: { } name, AccountPassword: { } secret }:
                    return new Protocol.V1.Registration { Account = new AccountCredential { Name = name, Password = secret } };
                case RegistrationPolicy.Invite when entry is not null:
                    return await TakeTokenAsync(entry, connection, cancellationToken) is { } token ? new Protocol.V1.Registration { Token = token } : null;
                default:
                    // Nothing known: the server answers REGISTRATION_REQUIRED, which says what it wants.
                    return null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    /// <summary>The profile's entry for this server (by identity key), made when <paramref name="create"/>.</summary>
    public static ServerRegistrationData? For(ProfileData data, PurrAddress server, bool create = false)
    {
        var entry = data.Registrations.FirstOrDefault(r => PurrAddress.TryParse(r.Server, out var known, out _) && known.IdentityKey.AsSpan().SequenceEqual(server.IdentityKey));
        if (entry is null && create)
        {
            entry = new ServerRegistrationData { Server = server.ToString() };
            data.Registrations.Add(entry);
        }

        return entry;
    }

    /// <summary>Redeems a first batch from an invite (purr init --invite, purr register --invite) so a bad invite shows at once.</summary>
    public async Task<int> RedeemAsync(PurrConnection connection, InviteLink invite, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var entry = For(data, invite.Server, create: true)!;
            entry.InviteSecret = invite.Secret;
            var count = await RedeemIntoAsync(entry, connection, cancellationToken);
            save();
            return count;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<CreationToken?> TakeTokenAsync(ServerRegistrationData entry, PurrConnection connection, CancellationToken cancellationToken)
    {
        if (entry.Tokens.Count == 0 && entry.InviteSecret is not null)
        {
            await RedeemIntoAsync(entry, connection, cancellationToken);
        }

        if (entry.Tokens.Count == 0)
        {
            return null;
        }

        var token = entry.Tokens[0];
        entry.Tokens.RemoveAt(0);
        save();
        return new CreationToken { KeyId = ByteString.CopyFrom(token.KeyId), Nonce = ByteString.CopyFrom(token.Nonce), Signature = ByteString.CopyFrom(token.Signature) };
    }

    private async Task<int> RedeemIntoAsync(ServerRegistrationData entry, PurrConnection connection, CancellationToken cancellationToken)
    {
        var (tokens, left) = await connection.RedeemInviteAsync(entry.InviteSecret!, Batch, random, cancellationToken);
        entry.Tokens.AddRange(tokens.Select(t => new CreationTokenData { KeyId = t.KeyId.ToByteArray(), Nonce = t.Nonce.ToByteArray(), Signature = t.Signature.ToByteArray() }));
        entry.InviteTokensLeft = left;
        save();
        return tokens.Count;
    }
}
