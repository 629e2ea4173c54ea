using System.Security.Cryptography;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.BlindRsa;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Registration;

/// <summary>
/// The client's half of invite redemption (RFC 9474): pick random nonces, blind each token message for the
/// server's token key, and turn the blind signatures into tokens the server cannot link to this redemption.
/// </summary>
public static class CreationTokens
{
    public const int NonceBytes = 32;

    /// <summary>The server's token key from its hello, after checking the server identity signed it.</summary>
    public static BlindRsaPublicKey KeyOf(ServerHello hello)
    {
        var wire = hello.Registration?.TokenKey;
        if (hello.Registration?.Policy != RegistrationPolicy.Invite || wire is null)
        {
            throw new PurrClientException("this server does not take invites (its registration policy is not invite)");
        }

        var key = BlindRsaPublicKey.TryFrom(wire.Modulus.Span, wire.Exponent.Span);
        if (key is null || !key.KeyId.AsSpan().SequenceEqual(wire.KeyId.Span)
            || !Ed25519.Verify(hello.ServerIdentityKey.Span, SignedBytes.TokenKey(key.KeyId), wire.Signature.Span))
        {
            throw new PurrClientException("the server's token key is malformed or not signed by its identity key; refusing it");
        }

        return key;
    }

    /// <summary>Fresh nonces, each blinded: what RedeemInvite sends, and what to keep to finalize.</summary>
    public static IReadOnlyList<PendingToken> Prepare(BlindRsaPublicKey key, int count, IRandomSource random)
    {
        var pending = new List<PendingToken>(count);
        for (var i = 0; i < count; i++)
        {
            var nonce = new byte[NonceBytes];
            random.Fill(nonce);
            pending.Add(new PendingToken(nonce, BlindRsaSignatures.Blind(key, SignedBytes.CreationToken(key.KeyId, nonce), random)));
        }

        return pending;
    }

    /// <summary>Unblinds each signature; a signature that does not verify is the server's fault and refused.</summary>
    public static List<CreationToken> Finalize(BlindRsaPublicKey key, IReadOnlyList<PendingToken> pending, IReadOnlyList<ByteString> blindSignatures)
    {
        if (blindSignatures.Count > pending.Count)
        {
            throw new PurrClientException("the server returned more blind signatures than were asked for");
        }

        var tokens = new List<CreationToken>(blindSignatures.Count);
        for (var i = 0; i < blindSignatures.Count; i++)
        {
            try
            {
                var signature = BlindRsaSignatures.Finalize(
                    key, SignedBytes.CreationToken(key.KeyId, pending[i].Nonce), blindSignatures[i].Span, pending[i].Blinded.Inverse);
                tokens.Add(new CreationToken
                {
                    KeyId = ByteString.CopyFrom(key.KeyId),
                    Nonce = ByteString.CopyFrom(pending[i].Nonce),
                    Signature = ByteString.CopyFrom(signature),
                });
            }
            catch (CryptographicException)
            {
                throw new PurrClientException("the server's blind signature does not verify; its tokens were refused");
            }
        }

        return tokens;
    }
}

/// <summary>A token on its way: the nonce and its blinding.</summary>
public sealed record PendingToken(byte[] Nonce, BlindedMessage Blinded);
