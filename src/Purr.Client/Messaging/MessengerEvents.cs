namespace Purr.Client.Messaging;

/// <summary>Something that happened while receiving, for the CLI (or any UI) to show.</summary>
public abstract record MessengerEvent(string Contact);

public sealed record TextReceived(string Contact, string Text, string MessageId, DateTimeOffset SentAt) : MessengerEvent(Contact);

public sealed record ContactEstablished(string Contact, string DisplayName) : MessengerEvent(Contact);

public sealed record MessagesDelivered(string Contact, IReadOnlyList<string> MessageIds) : MessengerEvent(Contact);

public sealed record ContactRenamed(string Contact, string DisplayName) : MessengerEvent(Contact);

/// <summary>The contact set the chat's disappearing-message timer (0: off); this side's texts follow it too.</summary>
public sealed record DisappearingTimerChanged(string Contact, uint Seconds) : MessengerEvent(Contact);

public sealed record ContactMovedMailbox(string Contact) : MessengerEvent(Contact);

public sealed record MailboxMoveCompleted(string Contact) : MessengerEvent(Contact);

public sealed record ContactRemovedUs(string Contact) : MessengerEvent(Contact);

/// <summary>A contact's presence: what it says now (live only; nothing of it is stored on the server or in the profile).</summary>
public sealed record PresenceChanged(string Contact, Protocol.V1.PresenceStatus Status, string Text) : MessengerEvent(Contact);

/// <summary>
/// A request came through this profile's contact address. Kept for the owner (<paramref name="Contact"/> is empty),
/// or, with auto-accept, accepted at once as <paramref name="Contact"/>.
/// </summary>
public sealed record ContactRequestReceived(string Contact, string RequestId, string DisplayName, string Message) : MessengerEvent(Contact);

/// <summary>A message that could not be decrypted (tampered, or not for this session). It was dropped.</summary>
public sealed record UndecryptableMessage(string Contact) : MessengerEvent(Contact);

/// <summary>The operator of <paramref name="Server"/> announced something (signed with the server's key, checked).</summary>
/// <summary>A server holding some of this profile's mailboxes could not be reached: they were not read this time (the others were).</summary>
public sealed record ServerUnreachable(string Server, string Reason) : MessengerEvent("");

public sealed record ServerAnnouncement(string Server, string Text, DateTimeOffset SentAt) : MessengerEvent("");

/// <summary>A listener lost (Connected false) or regained its connection to one of the profile's servers.</summary>
public sealed record ServerConnectionChanged(string Server, bool Connected);

/// <summary>A new device answered this device's link (PROTOCOL.md 10.10): compare <paramref name="Code"/> with what it shows, then confirm or reject.</summary>
public sealed record DeviceLinkAnswered(string Device, string Code, uint DeviceId) : MessengerEvent("");

/// <summary>A linked device gave its keys for the contacts: it is on every device list now.</summary>
public sealed record DeviceLinked(string Device, int Contacts) : MessengerEvent("");

/// <summary>This (new) device received the profile from the device that linked it, and joined its rooms (but those named in <paramref name="RoomsNotJoined"/>).</summary>
public sealed record ProfileLinked(int Contacts, int Messages, int Rooms, IReadOnlyList<string> RoomsNotJoined) : MessengerEvent("");

/// <summary>A text this profile sent from another of its devices (mirrored, PROTOCOL.md 10.10).</summary>
public sealed record TextSentElsewhere(string Contact, string Text, string MessageId, DateTimeOffset SentAt) : MessengerEvent(Contact);

/// <summary>The contact's devices changed (a device linked or revoked): messages now go to <paramref name="Devices"/> of them.</summary>
public sealed record ContactDevicesChanged(string Contact, int Devices) : MessengerEvent(Contact);

/// <summary>This profile's own devices changed (a device linked or revoked on another of them).</summary>
public sealed record OwnDevicesChanged(int Devices) : MessengerEvent("");

/// <summary>A room joined on another of this person's devices was joined here too (or could not be: <paramref name="Joined"/> false).</summary>
public sealed record RoomCarried(string Room, bool Joined) : MessengerEvent("");
