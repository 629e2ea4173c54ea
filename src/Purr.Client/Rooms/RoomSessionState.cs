namespace Purr.Client.Rooms;

/// <summary>What a client keeps to come back to a room later (persistent rooms): keys, names, the room mailbox.</summary>
public sealed class RoomSessionState
{
    public string Link { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public byte[] MemberKeySeed { get; set; } = [];

    public byte[] DhSecret { get; set; } = [];

    /// <summary>The seed of the member's ML-KEM-768 key; null in memberships saved before post-quantum rooms.</summary>
    public byte[]? KemSeed { get; set; }

    public Dictionary<string, byte[]> Keys { get; set; } = [];

    public byte[] CurrentKeyId { get; set; } = [];

    public Dictionary<string, string> Names { get; set; } = [];

    public MailboxInfo? Mailbox { get; set; }

    public byte[]? MailboxKeySeed { get; set; }

    /// <summary>Someone left since the current key was set: the next group message rotates the key first.</summary>
    public bool MembersRemovedSinceKey { get; set; }

    /// <summary>
    /// Member keys (hex) this membership knew when it was saved. On resume, one that is gone means a member left
    /// while this device was away, so the key rotates before the next group message (that member held it).
    /// </summary>
    public List<string> KnownMembers { get; set; } = [];

    /// <summary>Members (hex keys) who joined since the current key was set: the next group message seals it to them first.</summary>
    public List<string> AwaitingKey { get; set; } = [];

    /// <summary>The room's disappearing-message timer as this member last learned it (seconds; 0 off; PROTOCOL.md 12).</summary>
    public uint DisappearAfterSeconds { get; set; }
}
