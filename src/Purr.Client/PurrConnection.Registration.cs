using Google.Protobuf;
using Purr.Client.Registration;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>Registration: redeeming invites, and attaching what the server's policy asks of every creation.</summary>
public sealed partial class PurrConnection
{
    private const int TokenAttempts = 3;

    /// <summary>The server's registration policy, from its hello (OPEN for servers that do not say).</summary>
    public RegistrationPolicy RegistrationPolicy =>
        Hello.Registration?.Policy is { } policy and not RegistrationPolicy.Unspecified ? policy : RegistrationPolicy.Open;

    /// <summary>
    /// Redeems up to <paramref name="count"/> of an invite's tokens: blinded here, blind-signed by the server,
    /// finalized here. Returns the tokens and how many the invite still holds.
    /// </summary>
    public async Task<(List<CreationToken> Tokens, int Left)> RedeemInviteAsync(
        byte[] inviteSecret, int count, IRandomSource? random = null, CancellationToken cancellationToken = default)
    {
        var key = CreationTokens.KeyOf(Hello);
        var pending = CreationTokens.Prepare(key, count, random ?? SystemRandomSource.Instance);
        var redeem = new RedeemInvite { InviteSecret = ByteString.CopyFrom(inviteSecret) };
        redeem.BlindedMessages.AddRange(pending.Select(p => ByteString.CopyFrom(p.Blinded.Message)));
        var response = await RequestAsync(new Request { RedeemInvite = redeem }, signer: null, cancellationToken);
        return (CreationTokens.Finalize(key, pending, response.TokensIssued.BlindSignatures), (int)response.TokensIssued.TokensLeft);
    }

    /// <summary>
    /// Runs one creation with the credential the connection's <see cref="PurrConnectionOptions.Registration"/> gives. A token the
    /// server says was spent (a copy of the profile used it, or a crash came between spending and saving) is
    /// replaced by the next one, twice at most.
    /// </summary>
    internal async Task<T> CreatingAsync<T>(Func<Protocol.V1.Registration?, Task<T>> create, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var credential = RegistrationPolicy == RegistrationPolicy.Open || options.Registration is null
                ? null
                : await options.Registration.TakeAsync(this, cancellationToken);
            try
            {
                return await create(credential);
            }
            catch (PurrProtocolException e) when (e.Code == ErrorCode.RegistrationRefused
                && credential?.CredentialCase == Protocol.V1.Registration.CredentialOneofCase.Token && attempt < TokenAttempts)
            {
            }
        }
    }
}
