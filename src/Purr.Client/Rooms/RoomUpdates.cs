namespace Purr.Client.Rooms;

/// <summary>What a room member sees happen, decrypted and checked.</summary>
public abstract record RoomUpdate;

/// <param name="Ciphertext">As it travelled, for checks that a removed member cannot read it.</param>
/// <param name="MessageId">The sender's id for the message (hex), unique per message.</param>
/// <param name="SentAt">The sender's clock when it was sent.</param>
/// <param name="DisappearAfter">A disappearing text: seconds after which each member deletes it (0: kept).</param>
public sealed record RoomText(
    byte[] Sender, string SenderName, string Text, bool Whisper, byte[] Ciphertext, string MessageId, DateTimeOffset SentAt, uint DisappearAfter = 0) : RoomUpdate;

/// <summary>A member announced itself (the hello every joiner sends): the name it joined with.</summary>
public sealed record RoomMemberHello(byte[] Member, string Name) : RoomUpdate;

public sealed record RoomFarewell(byte[] Sender, string SenderName, string Text) : RoomUpdate;

/// <param name="Name">The name it joined with (from its sealed profile), or null when it gave none.</param>
public sealed record RoomMemberJoined(byte[] Member, string? Name) : RoomUpdate;

public sealed record RoomMemberLeft(byte[] Member, string Name, bool Kicked) : RoomUpdate;

/// <summary>This member was kicked (not sent for a member's own /exit); the server sends nothing more.</summary>
public sealed record RoomKicked : RoomUpdate;

public sealed record RoomEnded : RoomUpdate;

public sealed record RoomTopicChanged(string Topic) : RoomUpdate;

/// <summary>A member set the room's disappearing-message timer (seconds, 0 off); this member's texts follow it too.</summary>
public sealed record RoomTimerChanged(byte[] Sender, string SenderName, uint Seconds) : RoomUpdate;

/// <summary>A kick changed the room's join secret: the old link no longer lets anyone in; <see cref="RoomSession.Link"/> is the new one.</summary>
public sealed record RoomLinkChanged(string Link) : RoomUpdate;

/// <summary>A message that failed its signature or could not be decrypted; it was dropped.</summary>
public sealed record RoomUndecryptable(byte[] Sender) : RoomUpdate;

/// <summary>A member as this client sees it: key and role from the server, name from the member's own messages.</summary>
/// <param name="Connected">The member has a connection to the room now, as the server last said.</param>
public sealed record RoomMemberView(byte[] MemberKey, string Name, Protocol.V1.RoomRole Role, bool Voice, bool IsMe, bool Connected = false);

/// <summary>A member's first connection to the room came (Connected) or its last one went; live only.</summary>
public sealed record RoomMemberConnectionChanged(byte[] Member, string Name, bool Connected) : RoomUpdate;
