using System.Buffers.Binary;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Backplane.Redis;

/// <summary>
/// One signal on the channel: kind (1 byte) ‖ sending process (16) ‖ receive id (16), and for a live-only
/// message its id (16) ‖ received_at (i64 s) ‖ expires_at (i64 ms) ‖ payload. Receive ids already travel only
/// between the operator's own processes; the channel should be on a private network or TLS all the same.
/// </summary>
internal readonly record struct MailboxSignalMessage(SignalKind Kind, Guid Process, OpaqueId ReceiveId, StoredMessage? Live)
{
    private const int HeaderBytes = 1 + 16 + OpaqueId.Length;

    public byte[] ToBytes()
    {
        var payload = Live?.Payload ?? [];
        var bytes = new byte[HeaderBytes + (Live is null ? 0 : OpaqueId.Length + 16 + payload.Length)];
        bytes[0] = (byte)Kind;
        Process.TryWriteBytes(bytes.AsSpan(1, 16));
        ReceiveId.ToBytes().CopyTo(bytes, 17);
        if (Live is { } message)
        {
            message.Id.ToBytes().CopyTo(bytes, HeaderBytes);
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(HeaderBytes + 16), message.ReceivedAt.ToUnixTimeSeconds());
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(HeaderBytes + 24), message.ExpiresAt.ToUnixTimeMilliseconds());
            payload.CopyTo(bytes, HeaderBytes + 32);
        }

        return bytes;
    }

    public static MailboxSignalMessage? TryParse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes || bytes[0] is < 1 or > 4)
        {
            return null;
        }

        var kind = (SignalKind)bytes[0];
        var process = new Guid(bytes.Slice(1, 16));
        var receiveId = OpaqueId.FromBytes(bytes.Slice(17, OpaqueId.Length));
        if (kind != SignalKind.Live)
        {
            return bytes.Length == HeaderBytes ? new MailboxSignalMessage(kind, process, receiveId, null) : null;
        }

        if (bytes.Length < HeaderBytes + 32)
        {
            return null;
        }

        var message = new StoredMessage(
            OpaqueId.FromBytes(bytes.Slice(HeaderBytes, 16)),
            bytes[(HeaderBytes + 32)..].ToArray(),
            DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes[(HeaderBytes + 16)..])),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes[(HeaderBytes + 24)..])));
        return new MailboxSignalMessage(kind, process, receiveId, message);
    }
}

internal enum SignalKind : byte
{
    Stored = 1,
    Subscribed = 2,
    Live = 3,
    Deleted = 4,
}
