using System.Buffers.Binary;
using Purr.Core.Ids;
using Purr.Server.Rooms;

namespace Purr.Backplane.Redis;

/// <summary>
/// One room event on the channel: sending process (16) ‖ room id (16) ‖ flags (1: bit 0 ended, bit 1 all but the
/// listed recipients, bit 2 a beacon: the recipients are the members connected to the sending process) ‖ recipient count (u16) ‖ detach count (u16) ‖ member keys (32 each: recipients, then
/// detached) ‖ the serialised ServerFrame (the rest).
/// </summary>
internal static class RoomRelayFrame
{
    private const int KeyBytes = 32;
    private const int HeaderBytes = 16 + OpaqueId.Length + 1 + 2 + 2;

    public static byte[] Write(Guid process, RoomRelayMessage message)
    {
        var keys = message.Recipients.Count + message.Detach.Count;
        var bytes = new byte[HeaderBytes + (keys * KeyBytes) + message.Frame.Length];
        process.TryWriteBytes(bytes.AsSpan(0, 16));
        message.RoomId.ToBytes().CopyTo(bytes, 16);
        bytes[32] = (byte)((message.Ended ? 1 : 0) | (message.AllExcept ? 2 : 0) | (message.Beacon ? 4 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(33), checked((ushort)message.Recipients.Count));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(35), checked((ushort)message.Detach.Count));
        var offset = HeaderBytes;
        foreach (var key in message.Recipients.Concat(message.Detach))
        {
            key.AsSpan(0, KeyBytes).CopyTo(bytes.AsSpan(offset));
            offset += KeyBytes;
        }

        message.Frame.CopyTo(bytes, offset);
        return bytes;
    }

    public static (Guid Process, RoomRelayMessage Message)? TryRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes || bytes[32] > 7)
        {
            return null;
        }

        var recipients = BinaryPrimitives.ReadUInt16BigEndian(bytes[33..]);
        var detach = BinaryPrimitives.ReadUInt16BigEndian(bytes[35..]);
        if (bytes.Length < HeaderBytes + ((recipients + detach) * KeyBytes))
        {
            return null;
        }

        var keys = new byte[recipients + detach][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = bytes.Slice(HeaderBytes + (i * KeyBytes), KeyBytes).ToArray();
        }

        var frame = bytes[(HeaderBytes + (keys.Length * KeyBytes))..].ToArray();
        var process = new Guid(bytes[..16]);
        var message = new RoomRelayMessage(
            OpaqueId.FromBytes(bytes.Slice(16, OpaqueId.Length)), frame, keys[..recipients], keys[recipients..], (bytes[32] & 1) != 0, (bytes[32] & 2) != 0, (bytes[32] & 4) != 0)
        {
            Node = process,
        };
        return (process, message);
    }
}
