using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Sessions with every device of a contact (PROTOCOL.md 10.10), after Signal's Sesame: one Double Ratchet session per
/// pair of devices, started with PQXDH against the device's card from the contact's signed device list; a message is
/// sealed once per device; a device may hold several sessions with another (two that started at once), sends with the
/// one that last opened a message and opens with any.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>Sessions kept per device: the one in use and, for messages still under way, the ones it replaced.</summary>
    private const int SessionsPerDevice = 3;

    /// <summary>
    /// The contact's devices as records, the first session moved among them: from the first device list or session
    /// offer on, every session is a device's.
    /// </summary>
    private static ContactDevicesData DevicesOf(ContactRecord contact)
    {
        var devices = contact.Devices ??= new ContactDevicesData();
        if (contact.Session.RootKey.Length > 0)
        {
            devices.TheirDevices.Insert(0, new PeerDeviceRecord
            {
                DeviceId = 0,
                Sessions = [new DeviceSessionData { State = contact.Session, AssociatedData = contact.AssociatedData }],
                Server = contact.Outbox?.Server ?? "",
                SendId = contact.Outbox?.SendId ?? [],
            });
            contact.Session = new RatchetState();
            contact.AssociatedData = [];
        }

        return devices;
    }

    /// <summary>Where a message to the contact goes: each device with a session (only the first, before any device list).</summary>
    private static List<(string Server, byte[] SendId, Session Session)> SendTargets(ContactRecord contact)
    {
        if (contact.Devices is null)
        {
            return contact.Session.RootKey.Length > 0 && contact.Outbox is { } outbox ? [(outbox.Server, outbox.SendId, SessionOf(contact))] : [];
        }

        return [.. contact.Devices.TheirDevices
            .Where(d => d.Sessions.Count > 0 && d.SendId.Length == 16)
            .Select(d => (d.Server, d.SendId, new Session(d.Sessions[0].State, d.Sessions[0].AssociatedData)))];
    }

    /// <summary>Opens with the session that can: the first one, or any device's (the one that opens moves to the front).</summary>
    private (DecryptStatus Status, Envelope? Envelope, PeerDeviceRecord? Device) OpenFromContact(ContactRecord contact, RatchetEnvelope sealedMessage)
    {
        if (contact.Devices is null)
        {
            var (status, envelope) = SessionOf(contact).Open(sealedMessage, random);
            return (status, envelope, null);
        }

        var duplicate = false;
        foreach (var device in contact.Devices.TheirDevices)
        {
            for (var i = 0; i < device.Sessions.Count; i++)
            {
                var session = device.Sessions[i];
                var (status, envelope) = new Session(session.State, session.AssociatedData).Open(sealedMessage, random);
                if (status == DecryptStatus.Ok)
                {
                    device.Sessions.RemoveAt(i);
                    device.Sessions.Insert(0, session);
                    return (status, envelope, device);
                }

                duplicate |= status == DecryptStatus.Duplicate;
            }
        }

        return (duplicate ? DecryptStatus.Duplicate : DecryptStatus.Failed, null, null);
    }

    /// <summary>
    /// A message names its device: the first session becomes that device's record, and a record that did not know its
    /// id learns it (merging with one that did). Returns the record the message came through.
    /// </summary>
    private static PeerDeviceRecord? LearnDeviceId(ContactRecord contact, PeerDeviceRecord? device, uint deviceId)
    {
        if (deviceId == 0)
        {
            return device;
        }

        if (device is null)
        {
            if (contact.Devices is not null || contact.Session.RootKey.Length == 0)
            {
                return null;
            }

            device = DevicesOf(contact).TheirDevices[0];
        }

        if (device.DeviceId != 0)
        {
            return device;
        }

        var twin = contact.Devices!.TheirDevices.FirstOrDefault(d => d != device && d.DeviceId == deviceId);
        device.DeviceId = deviceId;
        if (twin is not null)
        {
            device.Sessions.AddRange(twin.Sessions);
            TrimSessions(device);
            if (device.IdentityDhKey.Length == 0)
            {
                device.IdentityDhKey = twin.IdentityDhKey;
            }

            contact.Devices.TheirDevices.Remove(twin);
        }

        return device;
    }

    private static void TrimSessions(PeerDeviceRecord device)
    {
        if (device.Sessions.Count > SessionsPerDevice)
        {
            device.Sessions.RemoveRange(SessionsPerDevice, device.Sessions.Count - SessionsPerDevice);
        }
    }

    /// <summary>
    /// The contact's signed list of its devices: sessions with devices no longer on it end at once, and this device
    /// starts one with every listed device it has none with. A list must come from a device on it, be signed by the
    /// contact's identity and be newer than the last.
    /// </summary>
    private async Task<MessengerEvent?> OnContactDeviceListAsync(ContactRecord contact, uint fromDeviceId, DeviceList list)
    {
        var entries = DeviceLists.OpenContactList(list, contact.TheirIdentityKey, time.GetUtcNow(), out var version);
        if (entries is null || fromDeviceId == 0 || entries.All(e => e.DeviceId != fromDeviceId))
        {
            return new UndecryptableMessage(contact.Name);
        }

        var devices = DevicesOf(contact);
        if (version <= devices.TheirListVersion)
        {
            return null;
        }

        devices.TheirListVersion = version;
        devices.Theirs = [.. entries.Select(e => new DeviceCardData { DeviceId = e.DeviceId, Card = Base64Url.Encode(e.Card.SignedBytes) })];
        devices.TheirDevices.RemoveAll(d => entries.All(e => e.DeviceId != d.DeviceId));
        foreach (var device in devices.TheirDevices)
        {
            var card = entries.First(e => e.DeviceId == device.DeviceId).Card;
            device.IdentityDhKey = card.Body.IdentityDhKey.ToByteArray();
        }

        file.Save(Data);
        foreach (var (deviceId, card) in entries.Where(e => devices.TheirDevices.All(d => d.DeviceId != e.DeviceId || d.Sessions.Count == 0)))
        {
            await StartDeviceSessionAsync(contact, deviceId, card);
        }

        return new ContactDevicesChanged(contact.Name, entries.Count);
    }

    /// <summary>Starts a session with one device of the contact (PQXDH against its card) and offers it at its inbox.</summary>
    private async Task StartDeviceSessionAsync(ContactRecord contact, uint deviceId, Card card)
    {
        var keys = MyKeysFor(contact);
        if (contact.Outbox is null || contact.Inbox.FirstOrDefault(m => !m.Retiring) is not { } inbox)
        {
            return;
        }

        using var sender = Ed25519KeyPair.FromSeed(contact.Outbox.SenderKeySeed);
        var intro = NewEnvelope();
        intro.ContactIntro = new ContactIntro
        {
            ReplyTo = new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
            SenderKey = ByteString.CopyFrom(sender.PublicKey),
        };
        var initiated = ContactHandshake.Initiate(card, intro, random, contact.MyIdentitySeed, keys.IdentityDhSecret);
        initiated.Identity.Dispose();
        initiated.IdentityDh.Dispose();
        var devices = DevicesOf(contact);
        var device = devices.TheirDevices.FirstOrDefault(d => d.DeviceId == deviceId);
        if (device is null)
        {
            device = new PeerDeviceRecord { DeviceId = deviceId };
            devices.TheirDevices.Add(device);
        }

        device.Server = card.Body.Mailbox.Server;
        device.SendId = card.Body.Mailbox.SendId.ToByteArray();
        device.IdentityDhKey = card.Body.IdentityDhKey.ToByteArray();
        var session = new DeviceSessionData { State = initiated.Session.State, AssociatedData = initiated.Session.AssociatedData };
        device.Sessions.Insert(0, session);
        TrimSessions(device);
        file.Save(Data);
        try
        {
            await SendToMailboxAsync(device.Server, device.SendId, new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray(),
                sender, tag: null, RouteOf(contact), GroupFor(device.Server, contact));
        }
        catch (PurrClientException)
        {
            // Not offered, so the device could never open what this session seals: the next list or offer starts another.
            device.Sessions.Remove(session);
            file.Save(Data);
            return;
        }

        await SendListToDeviceAsync(contact, device);
    }

    /// <summary>
    /// A device with a new session gets this profile's current list at once: a list published while no session with
    /// it existed yet (a device linked meanwhile) would otherwise never reach it.
    /// </summary>
    private async Task SendListToDeviceAsync(ContactRecord contact, PeerDeviceRecord device)
    {
        var devices = contact.Devices;
        if (devices is null || devices.MyListVersion == 0 || devices.Mine.All(m => m.DeviceId != Data.DeviceId) || device.Sessions.Count == 0 || contact.Outbox is null)
        {
            return;
        }

        using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
        var envelope = NewEnvelope();
        envelope.DeviceList = DeviceLists.SignContactList(identity, devices.MyListVersion, devices.Mine.Select(m => (m.DeviceId, CardBytes(m.Card))));
        var payload = new MailboxPayload { Ratchet = new Session(device.Sessions[0].State, device.Sessions[0].AssociatedData).Seal(envelope, random) };
        file.Save(Data);
        try
        {
            await SendPayloadToAsync(contact, device.Server, device.SendId, payload);
        }
        catch (PurrClientException)
        {
            // It gets the list with the next change.
        }
    }

    /// <summary>A device of the contact offers a session (its first message, sealed to this device's card).</summary>
    private async Task<MessengerEvent?> OnContactDeviceOfferAsync(ContactRecord contact, ContactRequest request)
    {
        if (contact.Devices?.MyKeys is not { } keys)
        {
            return null;
        }

        var offer = Convert.ToHexStringLower(request.EphemeralKey.Span);
        if (contact.Devices.OffersSeen.Contains(offer))
        {
            return null;
        }

        using var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(contact.MyIdentitySeed), X25519KeyPair.FromSecret(keys.IdentityDhSecret), X25519KeyPair.FromSecret(keys.PrekeySecret),
            keys.KemSeed.Length == 0 ? null : keys.KemSeed.ToArray());
        var responded = ContactHandshake.Respond(request, secrets, random);
        if (responded is null || !responded.PeerIdentity.AsSpan().SequenceEqual(contact.TheirIdentityKey)
            || responded.Intro.ContactIntro?.ReplyTo is not { SendId.Length: 16 } replyTo)
        {
            return new UndecryptableMessage(contact.Name);
        }

        var devices = DevicesOf(contact);
        var deviceId = responded.Intro.DeviceId;
        // Once the contact has published a list, only its devices may start sessions (a revoked one holds the identity key too).
        if (devices.TheirListVersion > 0 && !devices.Theirs.Any(t => t.DeviceId == deviceId && CardBodyOf(t.Card).IdentityDhKey.Span.SequenceEqual(responded.PeerIdentityDh)))
        {
            return new UndecryptableMessage(contact.Name);
        }

        Remember(devices.OffersSeen, offer);
        var device = deviceId == 0 ? null : devices.TheirDevices.FirstOrDefault(d => d.DeviceId == deviceId);
        if (device is null)
        {
            device = new PeerDeviceRecord { DeviceId = deviceId };
            devices.TheirDevices.Add(device);
        }

        device.Server = replyTo.Server;
        device.SendId = replyTo.SendId.ToByteArray();
        device.IdentityDhKey = responded.PeerIdentityDh;
        device.Sessions.Insert(0, new DeviceSessionData { State = responded.Session.State, AssociatedData = responded.Session.AssociatedData });
        TrimSessions(device);
        Remember(contact.SeenMessageIds, Convert.ToHexStringLower(responded.Intro.MessageId.Span));
        file.Save(Data);
        await SendListToDeviceAsync(contact, device);
        return new ContactDevicesChanged(contact.Name, devices.TheirDevices.Count);
    }

    /// <summary>This device's keys and card for the contact's devices to start sessions with, made on first need.</summary>
    private DeviceKeysData MyKeysFor(ContactRecord contact)
    {
        var devices = DevicesOf(contact);
        if (devices.MyKeys is { } existing)
        {
            return existing;
        }

        EnsureDeviceId();
        var inbox = contact.Inbox.FirstOrDefault(m => !m.Retiring) ?? contact.Inbox[0];
        devices.MyKeys = NewDeviceKeys(contact.MyIdentitySeed, inbox);
        file.Save(Data);
        return devices.MyKeys;
    }

    /// <summary>Fresh X25519 and ML-KEM-768 keys and a card for them under <paramref name="identitySeed"/>, naming <paramref name="inbox"/>.</summary>
    private DeviceKeysData NewDeviceKeys(byte[] identitySeed, MailboxRecordData inbox)
    {
        var keys = new DeviceKeysData
        {
            IdentityDhSecret = KeyMaterial.Draw(random, X25519.KeyBytes),
            PrekeySecret = KeyMaterial.Draw(random, X25519.KeyBytes),
            KemSeed = KeyMaterial.Draw(random, MlKem768.SeedBytes),
        };
        using var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(identitySeed), X25519KeyPair.FromSecret(keys.IdentityDhSecret), X25519KeyPair.FromSecret(keys.PrekeySecret), keys.KemSeed.ToArray());
        var card = Card.Create(secrets, new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
            Data.DeviceName, time.GetUtcNow() + DeviceLists.CardLifetime);
        keys.Card = Base64Url.Encode(card.SignedBytes);
        return keys;
    }

    /// <summary>
    /// After a mailbox move, this device's card names the new inbox (same keys), so devices of the contact that start a
    /// session later offer it where this device reads; a published list is published again with it.
    /// </summary>
    private async Task MoveDeviceCardAsync(ContactRecord contact, MailboxRecordData inbox)
    {
        if (contact.Devices?.MyKeys is not { } keys)
        {
            return;
        }

        using (var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(contact.MyIdentitySeed), X25519KeyPair.FromSecret(keys.IdentityDhSecret), X25519KeyPair.FromSecret(keys.PrekeySecret), keys.KemSeed.ToArray()))
        {
            var card = Card.Create(secrets, new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
                Data.DeviceName, time.GetUtcNow() + DeviceLists.CardLifetime);
            keys.Card = Base64Url.Encode(card.SignedBytes);
        }

        var devices = contact.Devices;
        if (devices.Mine.FirstOrDefault(m => m.DeviceId == Data.DeviceId) is { } mine)
        {
            mine.Card = keys.Card;
            devices.MyListVersion++;
            file.Save(Data);
            await PublishDeviceListAsync(contact);
        }
        else
        {
            file.Save(Data);
        }
    }

    /// <summary>Sends the contact this profile's current device list (every device of the contact gets it).</summary>
    private async Task PublishDeviceListAsync(ContactRecord contact)
    {
        var devices = DevicesOf(contact);
        using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
        var list = DeviceLists.SignContactList(identity, devices.MyListVersion, devices.Mine.Select(m => (m.DeviceId, CardBytes(m.Card))));
        var envelope = NewEnvelope();
        envelope.DeviceList = list;
        try
        {
            await SendEnvelopeAsync(contact, envelope);
        }
        catch (Exception e) when (e is PurrClientException or MessengerException)
        {
            // The contact's server is away (or no session yet): the list goes with the next change; its devices
            // meanwhile keep what they had.
        }

        await SendToOwnDevicesAsync(new DeviceSync { ContactDevices = new ContactDevices { Contact = ByteString.CopyFrom(identity.PublicKey), List = list } });
    }

    /// <summary>A card kept in the profile (checked when it was taken), as bytes.</summary>
    private static byte[] CardBytes(string card) => Base64Url.TryDecode(card, out var bytes) ? bytes : [];

    private static CardBody CardBodyOf(string card) => CardBody.Parser.ParseFrom(SignedCard.Parser.ParseFrom(CardBytes(card)).Body);

    private void EnsureDeviceId()
    {
        while (Data.DeviceId == 0)
        {
            Data.DeviceId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(KeyMaterial.Draw(random, 4));
        }
    }
}
