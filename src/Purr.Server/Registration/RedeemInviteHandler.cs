using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Purr.Core.Registration;
using Purr.Crypto.BlindRsa;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Registration;

/// <summary>
/// Spends some of an invite's tokens: one blind signature per blinded message (RFC 9474). The server learns
/// which invite and how many tokens, never the tokens themselves, so it cannot tell later which mailbox or
/// room a token created. Unsigned: the invite secret is the credential. Unknown invites cost no RSA work.
/// </summary>
internal sealed class RedeemInviteHandler(IOptions<RegistrationOptions> options, IRegistrationStore store, TokenKeys keys, TimeProvider time)
    : IRequestHandler
{
    internal const int SecretBytes = 16;

    public Request.OpOneofCase Operation => Request.OpOneofCase.RedeemInvite;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (keys.Key is not { } key)
        {
            return Responses.Error(ErrorCode.RegistrationRefused, "this server does not take invites");
        }

        var request = context.Request.RedeemInvite;
        var limit = options.Value.MaxTokensPerRedemption;
        if (request.InviteSecret.Length != SecretBytes || request.BlindedMessages.Count is 0 || request.BlindedMessages.Count > limit)
        {
            return Responses.InvalidArgument($"invite_secret is {SecretBytes} bytes and blinded_messages holds 1 to {limit}");
        }

        var modulus = key.PublicKey.ModulusBigEndian;
        if (request.BlindedMessages.Any(m => !BelowModulus(m.Span, modulus)))
        {
            return Responses.InvalidArgument($"each blinded message is {modulus.Length} bytes and below the token key's modulus");
        }

        var (taken, left) = await store.TakeInviteTokensAsync(InviteSecrets.Hash(request.InviteSecret.Span), request.BlindedMessages.Count, time.GetUtcNow(), cancellationToken);
        if (taken == 0)
        {
            return Responses.Error(ErrorCode.RegistrationRefused, "unknown, revoked, expired or used-up invite");
        }

        var issued = new TokensIssued { TokensLeft = (uint)left };
        foreach (var blinded in request.BlindedMessages.Take(taken))
        {
            try
            {
                issued.BlindSignatures.Add(ByteString.CopyFrom(BlindRsaSignatures.BlindSign(key, blinded.Span)));
            }
            catch (CryptographicException)
            {
                // A message not coprime to the modulus: practically impossible; the token is lost, the rest are served.
                break;
            }
        }

        return new ServerFrame { TokensIssued = issued };
    }

    /// <summary>Big-endian, same length: below the modulus exactly when lexicographically smaller.</summary>
    private static bool BelowModulus(ReadOnlySpan<byte> message, byte[] modulus) =>
        message.Length == modulus.Length && message.SequenceCompareTo(modulus) < 0;
}
