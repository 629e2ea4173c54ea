namespace Purr.Client.Rooms;

/// <summary>What a client keeps to come back to a room later (persistent rooms): keys, names, the room mailbox.</summary>
public sealed class RoomSessionState
{
    public string Link { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public byte[] MemberKeySeed { get; set; } = [];

    public byte[] DhSecret { get; set; } = [];

    public Dictionary<string, byte[]> Keys { get; set; } = [];

    public byte[] CurrentKeyId { get; set; } = [];

    public Dictionary<string, string> Names { get; set; } = [];

    public MailboxInfo? Mailbox { get; set; }

    public byte[]? MailboxKeySeed { get; set; }
}
