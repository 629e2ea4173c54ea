using System.Runtime.InteropServices;
using Google.Protobuf;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Mailboxes;

/// <summary>Conversions between stored messages and their wire form, and the server's time rounding.</summary>
internal static class MailboxMessages
{
    /// <summary>
    /// The wire form wraps the stored bytes without copying them: a stored message's payload is never written to
    /// after it is created (<see cref="Create"/>), and the wire message is only serialised.
    /// </summary>
    public static Protocol.V1.StoredMessage ToWire(StoredMessage message) => new()
    {
        MessageId = UnsafeByteOperations.UnsafeWrap(message.Id.ToBytes()),
        Payload = UnsafeByteOperations.UnsafeWrap(message.Payload),
        ReceivedAt = message.ReceivedAt.ToUnixTimeSeconds(),
    };

    /// <summary>
    /// A new message, timestamped to the minute: enough to order and expire it, too coarse to correlate.
    /// The payload array becomes the message's: whoever passes it must not change it afterwards
    /// (<see cref="OwnedBytes"/> gives such an array without a copy where it can).
    /// </summary>
    public static StoredMessage Create(byte[] payload, DateTimeOffset now, uint lifetimeSeconds)
    {
        var received = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60);
        return new StoredMessage(OpaqueId.NewRandom(), payload, received, now.AddSeconds(lifetimeSeconds));
    }

    /// <summary>
    /// The bytes of a parsed protobuf field as an array nothing else writes to: the array the parser made for it when
    /// the field is all of it (a parsed ByteString is immutable and its message is dropped after the request), else a copy.
    /// Saves one copy of every sent message.
    /// </summary>
    public static byte[] OwnedBytes(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToByteArray();
}
