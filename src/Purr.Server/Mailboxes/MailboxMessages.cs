using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Mailboxes;

/// <summary>Conversions between stored messages and their wire form, and the server's time rounding.</summary>
internal static class MailboxMessages
{
    public static Protocol.V1.StoredMessage ToWire(StoredMessage message) => new()
    {
        MessageId = ByteString.CopyFrom(message.Id.ToBytes()),
        Payload = ByteString.CopyFrom(message.Payload),
        ReceivedAt = message.ReceivedAt.ToUnixTimeSeconds(),
    };

    /// <summary>A new message, timestamped to the minute: enough to order and expire it, too coarse to correlate.</summary>
    public static StoredMessage Create(ReadOnlySpan<byte> payload, DateTimeOffset now, uint lifetimeSeconds)
    {
        var received = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60);
        return new StoredMessage(OpaqueId.NewRandom(), payload.ToArray(), received, now.AddSeconds(lifetimeSeconds));
    }
}
