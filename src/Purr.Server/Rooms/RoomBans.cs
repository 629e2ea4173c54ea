using Google.Protobuf;
using Purr.Core.Rooms;
using Purr.Crypto;

namespace Purr.Server.Rooms;

/// <summary>
/// The ban list a room keeps without knowing who is on it. A client sends a join tag with create and join: 32 bytes
/// derived from a secret of its own and the room id (PROTOCOL.md 12, "Bans"), stable for one profile in one room and
/// unlinkable across rooms. The server keeps only BLAKE2b-256(key = the room's ban key, tag) with the member; a kick
/// with ban moves that hash onto the room's list, and a join whose tag hashes to a listed value is refused.
/// </summary>
internal static class RoomBans
{
    public const int TagBytes = 32;
    public const int KeyBytes = 32;

    /// <summary>Why the tag is refused as a field, or null: absent (empty) or exactly 32 bytes.</summary>
    public static string? CheckTag(ByteString tag) =>
        tag.IsEmpty || tag.Length == TagBytes ? null : $"join_tag must be {TagBytes} bytes";

    public static byte[] NewKey()
    {
        var key = new byte[KeyBytes];
        SecureRandom.Fill(key);
        return key;
    }

    /// <summary>The keyed hash stored for a member's tag; empty for no tag.</summary>
    public static byte[] Hash(RoomState room, ByteString tag)
    {
        if (tag.IsEmpty)
        {
            return [];
        }

        if (room.BanKey.Length != KeyBytes)
        {
            // A room made before bans existed gets its key on first use.
            room.BanKey = NewKey();
        }

        var hash = new byte[32];
        Blake2b.Hash(tag.Span, hash, room.BanKey);
        return hash;
    }

    /// <summary>Puts the member's tag hash on the list (once), dropping the oldest entries beyond the limit.</summary>
    public static void Ban(RoomState room, RoomMemberData member, int maxBans)
    {
        if (member.JoinTagHash.Length == 0 || room.IsBanned(member.JoinTagHash))
        {
            return;
        }

        room.Bans.Add(member.JoinTagHash);
        if (room.Bans.Count > maxBans)
        {
            room.Bans.RemoveRange(0, room.Bans.Count - maxBans);
        }
    }
}
