using System.Text.Json.Serialization;
using Purr.Core.Ids;

namespace Purr.Core.Rooms;

/// <summary>
/// What the server holds about a room: ids, a hash of the join secret, settings, and members by key
/// and role. No names and no content: the topic is ciphertext under the room key.
/// </summary>
public sealed class RoomState
{
    public OpaqueId RoomId { get; set; }

    public bool Persistent { get; set; }

    /// <summary>BLAKE2b-256 of the join secret; the secret itself is never stored.</summary>
    public byte[] JoinSecretHash { get; set; } = [];

    /// <summary>Argon2id hash string of the join password, or null.</summary>
    public string? PasswordHash { get; set; }

    public RoomSettingsData Settings { get; set; } = new();

    public List<RoomMemberData> Members { get; set; } = [];

    /// <summary>
    /// The key of the ban list's keyed hashes (32 random bytes, made with the room): members' join tags are kept only
    /// as BLAKE2b-256(key = this, tag), so what is stored never equals what a client sent, and nothing links it to
    /// another room.
    /// </summary>
    public byte[] BanKey { get; set; } = [];

    /// <summary>Keyed hashes of banned join tags, oldest first; bounded by the server's Rooms:MaxBans.</summary>
    public List<byte[]> Bans { get; set; } = [];

    /// <summary>The store's version of this state when it was read (not part of the serialised state).</summary>
    [JsonIgnore]
    public long Version { get; set; }

    /// <summary>A copy whose changes never reach this one (byte arrays are shared: nothing changes them in place).</summary>
    public RoomState Copy() => new()
    {
        RoomId = RoomId,
        Persistent = Persistent,
        JoinSecretHash = JoinSecretHash,
        PasswordHash = PasswordHash,
        Settings = Settings.Copy(),
        Members = Members.ConvertAll(m => m.Copy()),
        BanKey = BanKey,
        Bans = [.. Bans],
        Version = Version,
    };

    public RoomMemberData? Member(ReadOnlySpan<byte> key)
    {
        foreach (var member in Members)
        {
            if (member.MemberKey.AsSpan().SequenceEqual(key))
            {
                return member;
            }
        }

        return null;
    }

    public bool IsBanned(ReadOnlySpan<byte> tagHash)
    {
        foreach (var ban in Bans)
        {
            if (ban.AsSpan().SequenceEqual(tagHash))
            {
                return true;
            }
        }

        return false;
    }
}

public sealed class RoomSettingsData
{
    public bool Flat { get; set; }

    public bool Locked { get; set; }

    public int MemberLimit { get; set; }

    public bool Moderated { get; set; }

    public bool Listed { get; set; }

    public string ListingName { get; set; } = "";

    public byte[] Topic { get; set; } = [];

    public RoomSettingsData Copy() => (RoomSettingsData)MemberwiseClone();
}

public sealed class RoomMemberData
{
    public byte[] MemberKey { get; set; } = [];

    public byte[] DhKey { get; set; } = [];

    /// <summary>The member's ML-KEM-768 encapsulation key (room keys are sealed to it too), or empty: opaque to the server.</summary>
    public byte[] KemKey { get; set; } = [];

    /// <summary>The member's sealed profile (its name, encrypted under the link's key): opaque, handed to members as is.</summary>
    public byte[] Profile { get; set; } = [];

    public RoomMemberRole Role { get; set; }

    public bool Voice { get; set; }

    /// <summary>Persistent rooms: the member's mailbox (receive id) that room traffic is copied into.</summary>
    public byte[]? MailboxReceiveId { get; set; }

    /// <summary>The keyed hash of the join tag the member gave (see <see cref="RoomState.BanKey"/>), or empty: what a ban records.</summary>
    public byte[] JoinTagHash { get; set; } = [];

    public RoomMemberData Copy() => (RoomMemberData)MemberwiseClone();
}

public enum RoomMemberRole
{
    Member = 1,
    Moderator = 2,
    Owner = 3,
}
