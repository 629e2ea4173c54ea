using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>Opens a ServerBroadcast: the server key's signature over the body as sent, sane fields, not expired.</summary>
public static class ServerBroadcastCheck
{
    public static ServerBroadcastReceived? Open(ServerBroadcast broadcast, ReadOnlySpan<byte> serverIdentityKey, DateTimeOffset now)
    {
        if (broadcast.Signature.Length != Ed25519.SignatureBytes
            || !Ed25519.Verify(serverIdentityKey, SignedBytes.ServerBroadcast(broadcast.Body.Span), broadcast.Signature.Span))
        {
            return null;
        }

        BroadcastBody body;
        try
        {
            body = BroadcastBody.Parser.ParseFrom(broadcast.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(body.ExpiresAt, 0, 253_402_300_799));
        if (body.BroadcastId.Length != 16 || body.Text.Length == 0 || expiresAt <= now)
        {
            return null;
        }

        return new ServerBroadcastReceived(
            Convert.ToHexStringLower(body.BroadcastId.Span), body.Text, DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(body.SentAt, 0, 253_402_300_799)), expiresAt);
    }
}
