using Purr.Crypto.Ratchet;

namespace Purr.Client.Profiles;

/// <summary>
/// Everything a profile holds, serialised as JSON inside the encrypted profile file. Secrets are
/// here because the file itself is encrypted; nothing in it ever goes to a server.
/// </summary>
public sealed class ProfileData
{
    public int Version { get; set; } = 1;

    /// <summary>The purr:// address of the server new mailboxes are made on, unless a command names another.</summary>
    public string Server { get; set; } = "";

    /// <summary>How this profile introduces itself on new cards unless a command says otherwise.</summary>
    public string DisplayName { get; set; } = "";

    public List<InviteRecord> Invites { get; set; } = [];

    /// <summary>This profile's contact address (one at a time: replacing makes a new one), or null.</summary>
    public AddressRecord? Address { get; set; }

    /// <summary>Contact requests that came through the address and wait for accept or reject, oldest first.</summary>
    public List<ContactRequestRecord> Requests { get; set; } = [];

    public List<ContactRecord> Contacts { get; set; } = [];

    /// <summary>Rooms this profile is a member of, by local name.</summary>
    public List<RoomRecord> Rooms { get; set; } = [];

    /// <summary>
    /// The secret this profile's room join tags are derived from (one tag per room, PROTOCOL.md 12, "Bans"); made on
    /// first use. Never sent: a room sees only its own tag.
    /// </summary>
    public byte[] RoomTagSecret { get; set; } = [];

    /// <summary>Presence (PROTOCOL.md 10.9) is opt-in: off until the person sets a status.</summary>
    public bool PresenceEnabled { get; set; }

    /// <summary>The status this profile shows while a client of it is running.</summary>
    public Protocol.V1.PresenceStatus Presence { get; set; } = Protocol.V1.PresenceStatus.Online;

    public string PresenceText { get; set; } = "";

    /// <summary>Ids of cards this profile accepted: a card is accepted once.</summary>
    public List<string> UsedCards { get; set; } = [];

    /// <summary>Server broadcasts already shown (ids), so one announcement shows once however often it comes.</summary>
    public List<string> SeenBroadcasts { get; set; } = [];

    /// <summary>What servers with a registration policy ask of this profile: a password, an account, or an invite's tokens.</summary>
    public List<ServerRegistrationData> Registrations { get; set; } = [];

    /// <summary>How connections are shared among contacts and rooms: "shared", "per-contact", or null for auto (see Messenger.Isolation.cs).</summary>
    public string? Isolation { get; set; }

    /// <summary>This device among the profile's devices (PROTOCOL.md 10.10): random, not 0; 0 until the profile first links one.</summary>
    public uint DeviceId { get; set; }

    public string DeviceName { get; set; } = "";

    /// <summary>The seed of the key the profile's devices sign their list of own devices with (shared by them); empty before the first link.</summary>
    public byte[] DeviceKeySeed { get; set; } = [];

    /// <summary>The profile's other devices.</summary>
    public List<OwnDeviceRecord> Devices { get; set; } = [];

    public ulong DevicesVersion { get; set; }

    /// <summary>This device's keys for sessions with its own devices (the card in the signed list of own devices).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DeviceKeysData? OwnDeviceKeys { get; set; }

    /// <summary>This device's inbox for its own devices (where they send once a session exists); null before the first link.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public MailboxRecordData? DevicesInbox { get; set; }

    /// <summary>The key this profile's devices sign their sends to each other's inboxes with (shared by them).</summary>
    public byte[] DevicesSenderSeed { get; set; } = [];

    /// <summary>The last signed list of own devices (OwnDevices, base64url); empty before the first link.</summary>
    public string OwnDevicesList { get; set; } = "";

    /// <summary>Parts of a transfer from another own device still incomplete.</summary>
    public List<SyncChunkData> SyncChunks { get; set; } = [];

    /// <summary>A device link offered here and not answered yet.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DeviceLinkRecord? PendingLink { get; set; }
}

/// <summary>This profile's credentials for one server (PROTOCOL.md, "Registration").</summary>
public sealed class ServerRegistrationData
{
    /// <summary>The server's purr:// address; matched by its identity key.</summary>
    public string Server { get; set; } = "";

    public string? ServerPassword { get; set; }

    public string? AccountName { get; set; }

    public string? AccountPassword { get; set; }

    /// <summary>The invite's secret, kept to redeem more tokens when these run out.</summary>
    public byte[]? InviteSecret { get; set; }

    /// <summary>What the invite still held at the last redemption; null before the first.</summary>
    public int? InviteTokensLeft { get; set; }

    /// <summary>Unspent creation tokens; each is removed (and the profile saved) before it is sent.</summary>
    public List<CreationTokenData> Tokens { get; set; } = [];
}

public sealed class CreationTokenData
{
    public byte[] KeyId { get; set; } = [];

    public byte[] Nonce { get; set; } = [];

    public byte[] Signature { get; set; } = [];
}

/// <summary>A card this profile made and that nobody has answered yet.</summary>
public sealed class InviteRecord
{
    public string Name { get; set; } = "";

    public string CardLink { get; set; } = "";

    /// <summary>How this profile introduced itself on the card.</summary>
    public string DisplayName { get; set; } = "";

    public byte[] IdentitySeed { get; set; } = [];

    public byte[] IdentityDhSecret { get; set; } = [];

    public byte[] PrekeySecret { get; set; } = [];

    /// <summary>The seed of the card's ML-KEM-768 prekey; empty for a classic card made before post-quantum cards.</summary>
    public byte[] KemSeed { get; set; } = [];

    public MailboxRecordData Mailbox { get; set; } = new();

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>This card went to someone's contact address as a request: it waits for them to accept it.</summary>
    public bool Requested { get; set; }
}

/// <summary>A contact address this profile owns (PROTOCOL.md 10.8): its keys and the mailbox requests arrive in.</summary>
public sealed class AddressRecord
{
    public string Link { get; set; } = "";

    public byte[] AddressKeySeed { get; set; } = [];

    public byte[] RequestKeySecret { get; set; } = [];

    /// <summary>The seed of the address's ML-KEM-768 request key; empty for a classic address made before post-quantum ones.</summary>
    public byte[] RequestKemSeed { get; set; } = [];

    public MailboxRecordData Mailbox { get; set; } = new();

    /// <summary>How this profile introduces itself on the address and when it accepts a request.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Accept every request at once (a shop, a helpdesk) instead of keeping it for the owner to decide.</summary>
    public bool AutoAccept { get; set; }

    /// <summary>The handle registered for this address on its mailbox's server (lower case), or null.</summary>
    public string? Handle { get; set; }
}

/// <summary>A request that came through the address: the requester's card, name and note, until accepted or rejected.</summary>
public sealed class ContactRequestRecord
{
    /// <summary>A short local id (8 hex digits) to accept or reject it by.</summary>
    public string Id { get; set; } = "";

    public string CardLink { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Message { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The requester's block tag for this address (empty from a client that sent none): what a block uploads.</summary>
    public byte[] Tag { get; set; } = [];
}

public sealed class ContactRecord
{
    /// <summary>The name this profile's owner calls the contact by.</summary>
    public string Name { get; set; } = "";

    /// <summary>How the contact introduced itself.</summary>
    public string DisplayName { get; set; } = "";

    public byte[] MyIdentitySeed { get; set; } = [];

    public byte[] TheirIdentityKey { get; set; } = [];

    public RatchetState Session { get; set; } = new();

    public byte[] AssociatedData { get; set; } = [];

    /// <summary>Where this profile receives from the contact: the current mailbox first; older ones while a move completes.</summary>
    public List<MailboxRecordData> Inbox { get; set; } = [];

    /// <summary>Where this profile sends to; null until the contact told us (the card's creator learns it from the intro).</summary>
    public OutboxData? Outbox { get; set; }

    /// <summary>The key the contact signs its sends to our inbox with; our inbox is secured with it.</summary>
    public byte[]? TheirSenderKey { get; set; }

    public bool Verified { get; set; }

    /// <summary>The contact acknowledged a mailbox move: the retiring inbox mailboxes are drained and deleted.</summary>
    public bool RetireOldInbox { get; set; }

    /// <summary>Recent message ids received, newest last, to drop duplicates that arrive as new ciphertext.</summary>
    public List<string> SeenMessageIds { get; set; } = [];

    /// <summary>Ids of our messages the contact confirmed receiving, newest last.</summary>
    public List<string> Delivered { get; set; } = [];

    /// <summary>Whether this profile shows the contact its presence (answers its queries, sends it changes).</summary>
    public bool SharePresence { get; set; } = true;

    /// <summary>Our live-only mailbox the contact sends presence to, and the key it seals it with; null until made.</summary>
    public MailboxRecordData? PresenceInbox { get; set; }

    public byte[] PresenceInboxKey { get; set; } = [];

    /// <summary>Where we send presence and queries for the contact (its PresenceChannel), and its key; null until it told us.</summary>
    public PresenceOutboxData? PresenceOutbox { get; set; }

    /// <summary>Disappearing messages in this chat (PROTOCOL.md 10.5): seconds after which each text is deleted on both sides; 0 off.</summary>
    public uint DisappearAfterSeconds { get; set; }

    /// <summary>How sends to this contact travel: "direct" or "via-home"; null (not written) is "auto" (Messaging.ContactRoute).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Route { get; set; }

    /// <summary>Devices on both sides (PROTOCOL.md 10.10); null while both sides have one device each.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ContactDevicesData? Devices { get; set; }
}

/// <summary>A contact's presence mailbox and the key presence to it is sealed with.</summary>
public sealed class PresenceOutboxData
{
    public string Server { get; set; } = "";

    public byte[] SendId { get; set; } = [];

    public byte[] Key { get; set; } = [];
}

/// <summary>A mailbox this profile receives from.</summary>
public sealed class MailboxRecordData
{
    public string Server { get; set; } = "";

    public byte[] ReceiveId { get; set; } = [];

    public byte[] SendId { get; set; } = [];

    public byte[] RecipientKeySeed { get; set; } = [];

    /// <summary>A mailbox being replaced: drained and deleted once the contact acknowledged the move.</summary>
    public bool Retiring { get; set; }

    /// <summary>
    /// The server's mailbox key for it (PROTOCOL.md 4, "Mailbox keys"), once fetched: requests for the mailbox then carry a
    /// keyed hash instead of a signature. Null until then; not written while null, so older profiles read the same.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? MailboxKey { get; set; }
}

/// <summary>The contact's mailbox this profile sends to, and the key it signs those sends with.</summary>
public sealed class OutboxData
{
    public string Server { get; set; } = "";

    public byte[] SendId { get; set; } = [];

    public byte[] SenderKeySeed { get; set; } = [];
}

/// <summary>A room membership: the local name for the room and what is needed to resume it.</summary>
public sealed class RoomRecord
{
    public string Name { get; set; } = "";

    public Rooms.RoomSessionState State { get; set; } = new();
}
