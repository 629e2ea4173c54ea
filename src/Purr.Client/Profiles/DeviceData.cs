using System.Text.Json.Serialization;
using Purr.Crypto.Ratchet;

namespace Purr.Client.Profiles;

/// <summary>Another device of this profile's owner (PROTOCOL.md 10.10): the session between the two and their mailboxes.</summary>
public sealed class OwnDeviceRecord
{
    public uint DeviceId { get; set; }

    public string Name { get; set; } = "";

    public DateTimeOffset LinkedAt { get; set; }

    /// <summary>The other device's key in the session between the two (the link card's, or its own-devices card's).</summary>
    public byte[] TheirIdentityKey { get; set; } = [];

    /// <summary>Sessions with it, the one to send with first (Sesame: the one that last opened a message).</summary>
    public List<DeviceSessionData> Sessions { get; set; } = [];

    /// <summary>Where it sends to this device; null until a session exists.</summary>
    public MailboxRecordData? Inbox { get; set; }

    /// <summary>Where this device sends to it; null until it told us.</summary>
    public OutboxData? Outbox { get; set; }

    public List<string> SeenMessageIds { get; set; } = [];

    /// <summary>Its card in the list of own devices (a SignedCard, base64url); empty until it gave one.</summary>
    public string Card { get; set; } = "";

    /// <summary>The link was confirmed (the codes matched): only then does it get the profile and mirrored messages.</summary>
    public bool Confirmed { get; set; }
}

/// <summary>One part of a transfer between own devices, kept until all parts are in.</summary>
public sealed class SyncChunkData
{
    public string Transfer { get; set; } = "";

    public uint Index { get; set; }

    public uint Count { get; set; }

    public byte[] Data { get; set; } = [];
}

/// <summary>One Double Ratchet session with one device and the associated data that binds it.</summary>
public sealed class DeviceSessionData
{
    public RatchetState State { get; set; } = new();

    public byte[] AssociatedData { get; set; } = [];
}

/// <summary>A further device of a contact (its first is the contact record's own session), and where to send to it.</summary>
public sealed class PeerDeviceRecord
{
    public uint DeviceId { get; set; }

    public List<DeviceSessionData> Sessions { get; set; } = [];

    /// <summary>The device's inbox for this profile (from its card): sends are signed with the contact's sender key.</summary>
    public string Server { get; set; } = "";

    public byte[] SendId { get; set; } = [];

    /// <summary>The device's X25519 identity key for this contact (from its card): a session offered from another key is refused.</summary>
    public byte[] IdentityDhKey { get; set; } = [];
}

/// <summary>This device's own keys for one contact, the secrets behind the card its device list carries.</summary>
public sealed class DeviceKeysData
{
    public byte[] IdentityDhSecret { get; set; } = [];

    public byte[] PrekeySecret { get; set; } = [];

    public byte[] KemSeed { get; set; } = [];

    /// <summary>This device's card for the contact (a SignedCard, base64url), as the device list carries it.</summary>
    public string Card { get; set; } = "";
}

/// <summary>An entry of a device list: a device id and its card (a SignedCard, base64url).</summary>
public sealed class DeviceCardData
{
    public uint DeviceId { get; set; }

    public string Card { get; set; } = "";
}

/// <summary>A device link this device offered and nobody has answered yet (one at a time).</summary>
public sealed class DeviceLinkRecord
{
    public string Name { get; set; } = "";

    public string Link { get; set; } = "";

    public byte[] IdentitySeed { get; set; } = [];

    public byte[] IdentityDhSecret { get; set; } = [];

    public byte[] PrekeySecret { get; set; } = [];

    public byte[] KemSeed { get; set; } = [];

    public MailboxRecordData Mailbox { get; set; } = new();

    public DateTimeOffset ExpiresAt { get; set; }

    public bool WithHistory { get; set; }
}

/// <summary>What a profile knows about its own devices for one contact, and about the contact's devices.</summary>
public sealed class ContactDevicesData
{
    public List<PeerDeviceRecord> TheirDevices { get; set; } = [];

    public ulong TheirListVersion { get; set; }

    /// <summary>The list this profile publishes to the contact: every device of it, this one included.</summary>
    public List<DeviceCardData> Mine { get; set; } = [];

    public ulong MyListVersion { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DeviceKeysData? MyKeys { get; set; }

    /// <summary>The contact's last list (cards by device id), to start sessions from; empty while it published none.</summary>
    public List<DeviceCardData> Theirs { get; set; } = [];

    /// <summary>Ephemeral keys of sessions offered to this device, so a replayed offer does not start a second one.</summary>
    public List<string> OffersSeen { get; set; } = [];
}
