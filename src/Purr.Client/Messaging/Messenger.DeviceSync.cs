using System.Text.Json;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>What one person's devices tell each other (DeviceSync, PROTOCOL.md 10.10).</summary>
public sealed partial class Messenger
{
    /// <summary>A transfer's part: small enough that a sealed part stays under the servers' 64 KiB message limit.</summary>
    public const int SyncChunkBytes = 40_000;

    /// <summary>The most parts one transfer may have (4 MB): a profile with more history links with less of it.</summary>
    public const int MaxSyncChunks = 100;

    /// <summary>Cards per DeviceCards message (each about 1.7 KB).</summary>
    private const int CardsPerMessage = 16;

    private async Task<MessengerEvent?> OpenFromOwnDeviceAsync(RatchetEnvelope sealedMessage)
    {
        foreach (var device in Data.Devices)
        {
            for (var i = 0; i < device.Sessions.Count; i++)
            {
                var session = device.Sessions[i];
                var (status, envelope) = new Session(session.State, session.AssociatedData).Open(sealedMessage, random);
                if (status == DecryptStatus.Duplicate)
                {
                    return null;
                }

                if (status != DecryptStatus.Ok || envelope is null)
                {
                    continue;
                }

                device.Sessions.RemoveAt(i);
                device.Sessions.Insert(0, session);
                var id = Convert.ToHexStringLower(envelope.MessageId.Span);
                if (device.SeenMessageIds.Contains(id) || envelope.BodyCase != Envelope.BodyOneofCase.DeviceSync)
                {
                    return null;
                }

                Remember(device.SeenMessageIds, id);
                if (device.DeviceId == 0 && envelope.DeviceId != 0 && Data.Devices.All(d => d.DeviceId != envelope.DeviceId))
                {
                    device.DeviceId = envelope.DeviceId;
                }

                return await OnDeviceSyncAsync(device, envelope.DeviceSync);
            }
        }

        return null;
    }

    private async Task<MessengerEvent?> OnDeviceSyncAsync(OwnDeviceRecord device, DeviceSync sync)
    {
        switch (sync.KindCase)
        {
            case DeviceSync.KindOneofCase.Profile when Data.Contacts.Count == 0 && !device.Confirmed:
                return TakeChunk(sync.Profile) is { } profile ? await ApplyLinkedProfileAsync(device, profile) : null;
            case DeviceSync.KindOneofCase.Contacts when device.Confirmed && Data.OwnDeviceKeys is not null:
                return TakeChunk(sync.Contacts) is { } contacts ? await ApplySharedContactsAsync(device, contacts) : null;
            case DeviceSync.KindOneofCase.Cards when device.Confirmed:
                return await OnDeviceCardsAsync(device, sync.Cards);
            case DeviceSync.KindOneofCase.Sent when device.Confirmed:
                return OnSentElsewhere(sync.Sent);
            case DeviceSync.KindOneofCase.OwnDevices when device.Confirmed:
                return await OnOwnDevicesAsync(sync.OwnDevices);
            case DeviceSync.KindOneofCase.Timer when device.Confirmed && ContactByMyIdentity(sync.Timer.Contact.Span) is { } timed:
                // Set on another of this person's devices: this one's texts follow it too (the contact was told there).
                timed.DisappearAfterSeconds = DisappearingMessages.Normalize(sync.Timer.Seconds);
                file.Save(Data);
                return null;
            case DeviceSync.KindOneofCase.ContactDevices when device.Confirmed:
                OnContactDevicesElsewhere(sync.ContactDevices);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Keeps a part; when the transfer is whole, returns its bytes (and forgets the parts).</summary>
    private byte[]? TakeChunk(SyncChunk chunk)
    {
        if (chunk.Transfer.Length != 16 || chunk.Count is 0 or > MaxSyncChunks || chunk.Index >= chunk.Count || chunk.Data.Length > SyncChunkBytes)
        {
            return null;
        }

        if (chunk.Count == 1)
        {
            return chunk.Data.ToByteArray();
        }

        var transfer = Convert.ToHexStringLower(chunk.Transfer.Span);
        // One transfer at a time: parts of an older, abandoned one are dropped.
        Data.SyncChunks.RemoveAll(c => c.Transfer != transfer || c.Index == chunk.Index);
        Data.SyncChunks.Add(new SyncChunkData { Transfer = transfer, Index = chunk.Index, Count = chunk.Count, Data = chunk.Data.ToByteArray() });
        if (Data.SyncChunks.Count < chunk.Count)
        {
            file.Save(Data);
            return null;
        }

        var whole = Data.SyncChunks.OrderBy(c => c.Index).SelectMany(c => c.Data).ToArray();
        Data.SyncChunks.Clear();
        return whole;
    }

    private async Task SendChunksAsync(OwnDeviceRecord device, byte[] bytes, Action<DeviceSync, SyncChunk> place)
    {
        var count = (bytes.Length + SyncChunkBytes - 1) / SyncChunkBytes;
        if (count > MaxSyncChunks)
        {
            throw new MessengerException($"the profile is {bytes.Length / 1_000_000} MB, more than a link carries ({MaxSyncChunks * SyncChunkBytes / 1_000_000} MB); link without the history");
        }

        var transfer = ByteString.CopyFrom(KeyMaterial.Draw(random, 16));
        for (var index = 0; index < count; index++)
        {
            var part = bytes.AsSpan(index * SyncChunkBytes, Math.Min(SyncChunkBytes, bytes.Length - index * SyncChunkBytes));
            var sync = new DeviceSync();
            place(sync, new SyncChunk { Transfer = transfer, Index = (uint)index, Count = (uint)count, Data = ByteString.CopyFrom(part) });
            if (!await SendToOwnDeviceAsync(device, sync))
            {
                throw new MessengerException("the new device's server could not be reached; link again");
            }
        }
    }

    /// <summary>
    /// What a new device gets: the profile as PROTOCOL.md 9 writes it, without anything that belongs to this device (its
    /// sessions, its inboxes, its keys, its pending cards, address and rooms): the new device makes its own.
    /// </summary>
    private ProfileData TransferCopy()
    {
        var copy = ProfileFile.Parse(JsonSerializer.SerializeToUtf8Bytes(Data));
        copy.Invites.Clear();
        copy.Requests.Clear();
        // Rooms go as their links and the names shown in them: the new device joins each as a member of its own.
        copy.Rooms = [.. copy.Rooms.Select(r => new RoomRecord { Name = r.Name, State = new Rooms.RoomSessionState { Link = r.State.Link, DisplayName = r.State.DisplayName } })];
        copy.Address = null;
        copy.PendingLink = null;
        copy.SyncChunks.Clear();
        copy.Devices.Clear();
        copy.DevicesInbox = null;
        copy.OwnDeviceKeys = null;
        copy.DeviceName = "";
        copy.Contacts.ForEach(StripForTransfer);
        return copy;
    }

    /// <summary>A contact as another own device takes it: the shared keys and lists, nothing of this device's sessions or inboxes.</summary>
    private static void StripForTransfer(ContactRecord contact)
    {
        var devices = contact.Devices ?? new ContactDevicesData();
        contact.Devices = new ContactDevicesData
        {
            Theirs = devices.Theirs,
            TheirListVersion = devices.TheirListVersion,
            Mine = devices.Mine,
            MyListVersion = devices.MyListVersion,
        };
        contact.Session = new RatchetState();
        contact.AssociatedData = [];
        contact.Inbox = [];
        contact.PresenceInbox = null;
        contact.PresenceInboxKey = [];
        contact.SeenMessageIds = [];
        contact.Delivered = [];
        contact.RetireOldInbox = false;
    }

    /// <summary>
    /// A contact made on this device after the others were linked goes to them too (DeviceSync.contacts): each makes
    /// its own inbox and keys and answers with its card, which joins the list the contact gets.
    /// </summary>
    private async Task ShareContactAsync(ContactRecord contact)
    {
        var devices = Data.Devices.Where(d => d.Confirmed && d.Sessions.Count > 0).ToList();
        if (devices.Count == 0 || contact.Outbox is null || contact.TheirSenderKey is null)
        {
            return;
        }

        var copy = ProfileFile.Parse(JsonSerializer.SerializeToUtf8Bytes(new ProfileData { Contacts = [contact] })).Contacts[0];
        StripForTransfer(copy);
        var json = JsonSerializer.SerializeToUtf8Bytes(new ProfileData { Contacts = [copy] });
        foreach (var device in devices)
        {
            try
            {
                await SendChunksAsync(device, json, (sync, chunk) => sync.Contacts = chunk);
            }
            catch (MessengerException)
            {
                // That device's server is away: it gets the contact with the next link (noted in PROTOCOL.md 10.10).
            }
        }

        ConstantTime.Zero(json);
    }

    /// <summary>
    /// A room joined (or made) on this device after the others were linked: they join it too, each as a member of its
    /// own (DeviceSync.contacts with {"Rooms": [{ "Name", "State": { "Link", "DisplayName" } }]}).
    /// </summary>
    public async Task ShareRoomAsync(RoomRecord room)
    {
        await gate.WaitAsync();
        try
        {
            var devices = Data.Devices.Where(d => d.Confirmed && d.Sessions.Count > 0).ToList();
            if (devices.Count == 0)
            {
                return;
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(new ProfileData
            {
                Rooms = [new RoomRecord { Name = room.Name, State = new Rooms.RoomSessionState { Link = room.State.Link, DisplayName = room.State.DisplayName } }],
            });
            foreach (var device in devices)
            {
                try
                {
                    await SendChunksAsync(device, json, (sync, chunk) => sync.Contacts = chunk);
                }
                catch (MessengerException)
                {
                    // That device's server is away: it can join with the link.
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Contacts another own device made: taken (under a free name), with an inbox and keys of this device's own.</summary>
    private async Task<MessengerEvent?> ApplySharedContactsAsync(OwnDeviceRecord from, byte[] json)
    {
        ProfileData shared;
        try
        {
            shared = ProfileFile.Parse(json);
        }
        catch (ProfileException)
        {
            return null;
        }
        finally
        {
            ConstantTime.Zero(json);
        }

        MessengerEvent? produced = null;
        var added = new List<ContactRecord>();
        foreach (var contact in shared.Contacts)
        {
            using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
            if (ContactByMyIdentity(identity.PublicKey) is not null || contact.Outbox is null || contact.TheirSenderKey is null)
            {
                continue;
            }

            var name = contact.Name;
            for (var n = 2; Data.Contacts.Any(c => c.Name == name) || Data.Invites.Any(i => i.Name == name); n++)
            {
                name = $"{contact.Name}-{n}";
            }

            contact.Name = name;
            await AddTransferredContactAsync(contact);
            added.Add(contact);
            produced = new ContactEstablished(contact.Name, contact.DisplayName);
        }

        await SendCardsAsync(from, added, withOwnCard: false);
        await StartSessionsWithListedAsync(added);
        var rooms = shared.Rooms.Where(r => Data.Rooms.All(existing => !SameRoom(existing, r))).ToList();
        if (rooms.Count > 0)
        {
            var unjoined = await JoinTransferredRoomsAsync(rooms);
            produced = new RoomCarried(rooms[0].Name, unjoined.Count == 0);
        }

        return produced;
    }

    /// <summary>
    /// Joins the linking device's rooms, each as a member of this device's own (a room sees one more member under the
    /// same name); returns the names of those it could not join (locked, password, banned, gone).
    /// </summary>
    private async Task<IReadOnlyList<string>> JoinTransferredRoomsAsync(IEnumerable<RoomRecord> rooms)
    {
        var failed = new List<string>();
        foreach (var room in rooms.Where(r => Data.Rooms.All(existing => !SameRoom(existing, r))))
        {
            // A name already in use here (another room) gets a free one.
            for (var n = 2; Data.Rooms.Any(r => r.Name == room.Name); n++)
            {
                room.Name = $"{room.Name}-{n}";
            }

            try
            {
                var server = Rooms.RoomLink.Parse(room.State.Link).Invite.Server;
                var connection = await ConnectAsync(server, group: GroupFor(server, room));
                await using var session = await Rooms.RoomSession.JoinAsync(connection, room.State.Link, room.State.DisplayName, random: random, joinTagSecret: TagSecretLocked());
                Data.Rooms.Add(new RoomRecord { Name = room.Name, State = session.Export() });
                file.Save(Data);
            }
            catch (PurrClientException)
            {
                failed.Add(room.Name);
            }
        }

        return failed;
    }

    private static bool SameRoom(RoomRecord a, RoomRecord b)
    {
        try
        {
            return Rooms.RoomLink.Parse(a.State.Link).Invite.RoomId.Span.SequenceEqual(Rooms.RoomLink.Parse(b.State.Link).Invite.RoomId.Span);
        }
        catch (PurrClientException)
        {
            return a.Name == b.Name;
        }
    }

    private async Task AddTransferredContactAsync(ContactRecord contact)
    {
        contact.Inbox = [await CreateMailboxAsync(Data.Server, contact.TheirSenderKey, owner: contact)];
        contact.Devices ??= new ContactDevicesData();
        contact.Devices.MyKeys = NewDeviceKeys(contact.MyIdentitySeed, contact.Inbox[0]);
        Data.Contacts.Add(contact);
        file.Save(Data);
    }

    private async Task SendCardsAsync(OwnDeviceRecord to, IEnumerable<ContactRecord> contacts, bool withOwnCard)
    {
        var cards = contacts.Select(c =>
        {
            using var identity = Ed25519KeyPair.FromSeed(c.MyIdentitySeed);
            return new ContactCard { Contact = ByteString.CopyFrom(identity.PublicKey), Card = ByteString.CopyFrom(CardBytes(c.Devices!.MyKeys!.Card)) };
        }).ToList();
        if (withOwnCard)
        {
            cards.Insert(0, new ContactCard { Card = ByteString.CopyFrom(CardBytes(Data.OwnDeviceKeys!.Card)) });
        }

        foreach (var batch in cards.Chunk(CardsPerMessage))
        {
            await SendToOwnDeviceAsync(to, new DeviceSync { Cards = new DeviceCards { Cards = { batch } } });
        }
    }

    private async Task StartSessionsWithListedAsync(IEnumerable<ContactRecord> contacts)
    {
        foreach (var contact in contacts.ToList())
        {
            foreach (var theirs in contact.Devices!.Theirs.ToList())
            {
                await StartDeviceSessionAsync(contact, theirs.DeviceId, Card.FromSignedBytes(CardBytes(theirs.Card), time.GetUtcNow()));
            }
        }
    }

    /// <summary>
    /// This new device takes the profile: the shared keys, the contacts (each with an inbox and keys of its own), the
    /// history; then it gives the linking device its cards and starts sessions with the contacts' devices it knows.
    /// </summary>
    private async Task<MessengerEvent?> ApplyLinkedProfileAsync(OwnDeviceRecord linker, byte[] json)
    {
        ProfileData incoming;
        IReadOnlyList<History.HistoryEntry> history;
        try
        {
            (incoming, history) = PortableProfile.FromJson(json, "the linked profile");
        }
        catch (ProfileException)
        {
            return null;
        }
        finally
        {
            ConstantTime.Zero(json);
        }

        if (incoming.DeviceKeySeed.Length != Ed25519.SeedBytes || incoming.DevicesSenderSeed.Length != Ed25519.SeedBytes
            || !Base64Url.TryDecode(incoming.OwnDevicesList, out var listBytes))
        {
            return null;
        }

        using var deviceKey = Ed25519KeyPair.FromSeed(incoming.DeviceKeySeed);
        var own = DeviceLists.OpenOwnList(OwnDevices.Parser.ParseFrom(listBytes), deviceKey.PublicKey, time.GetUtcNow(), out var version);
        if (own is null || own.All(e => e.DeviceId != linker.DeviceId))
        {
            return null;
        }

        Data.Server = incoming.Server;
        Data.DisplayName = incoming.DisplayName;
        // Credentials this empty profile was made with (purr init --invite) stay beside the ones that came.
        Data.Registrations = [.. incoming.Registrations, .. Data.Registrations.Where(r => incoming.Registrations.All(i => i.Server != r.Server))];
        Data.RoomTagSecret = incoming.RoomTagSecret;
        Data.PresenceEnabled = incoming.PresenceEnabled;
        Data.Presence = incoming.Presence;
        Data.PresenceText = incoming.PresenceText;
        Data.UsedCards = incoming.UsedCards;
        Data.SeenBroadcasts = incoming.SeenBroadcasts;
        Data.Isolation = incoming.Isolation;
        Data.DeviceKeySeed = incoming.DeviceKeySeed;
        Data.DevicesSenderSeed = incoming.DevicesSenderSeed;
        linker.Confirmed = true;
        linker.Outbox = null;
        file.Save(Data);

        using var sender = Ed25519KeyPair.FromSeed(Data.DevicesSenderSeed);
        await SecureAsync(Data.DevicesInbox!, sender.PublicKey);
        Data.OwnDeviceKeys = NewDeviceKeys(Data.DeviceKeySeed, Data.DevicesInbox!);
        TakeOwnList(own, version, listBytes);

        foreach (var contact in incoming.Contacts)
        {
            await AddTransferredContactAsync(contact);
        }

        History.Append(history);
        await SendCardsAsync(linker, Data.Contacts, withOwnCard: true);
        await StartSessionsWithListedAsync(Data.Contacts);
        var unjoined = await JoinTransferredRoomsAsync(incoming.Rooms);
        return new ProfileLinked(Data.Contacts.Count, history.Count, Data.Rooms.Count, unjoined);
    }

    /// <summary>An own device's cards: its card for each contact joins the list that contact gets; its own card joins the list of own devices.</summary>
    private async Task<MessengerEvent?> OnDeviceCardsAsync(OwnDeviceRecord device, DeviceCards cards)
    {
        var now = time.GetUtcNow();
        var changed = new List<ContactRecord>();
        var ownCardChanged = false;
        foreach (var entry in cards.Cards)
        {
            Card card;
            try
            {
                card = Card.FromSignedBytes(entry.Card.ToByteArray(), now);
            }
            catch (CardException)
            {
                continue;
            }

            if (entry.Contact.IsEmpty)
            {
                using var deviceKey = Ed25519KeyPair.FromSeed(Data.DeviceKeySeed);
                if (card.Body.IdentityKey.Span.SequenceEqual(deviceKey.PublicKey))
                {
                    device.Card = Base64Url.Encode(card.SignedBytes);
                    device.Outbox = new OutboxData { Server = card.Body.Mailbox.Server, SendId = card.Body.Mailbox.SendId.ToByteArray(), SenderKeySeed = Data.DevicesSenderSeed };
                    ownCardChanged = true;
                }

                continue;
            }

            var contact = ContactByMyIdentity(entry.Contact.Span);
            if (contact is null || !card.Body.IdentityKey.Span.SequenceEqual(entry.Contact.Span))
            {
                continue;
            }

            var mine = MyKeysFor(contact);
            var devices = contact.Devices!;
            if (devices.Mine.All(m => m.DeviceId != Data.DeviceId))
            {
                devices.Mine.Add(new DeviceCardData { DeviceId = Data.DeviceId, Card = mine.Card });
            }

            devices.Mine.RemoveAll(m => m.DeviceId == device.DeviceId);
            devices.Mine.Add(new DeviceCardData { DeviceId = device.DeviceId, Card = Base64Url.Encode(card.SignedBytes) });
            devices.MyListVersion++;
            changed.Add(contact);
        }

        file.Save(Data);
        if (ownCardChanged)
        {
            await PublishOwnDevicesAsync();
        }

        foreach (var contact in changed)
        {
            await PublishDeviceListAsync(contact);
        }

        return ownCardChanged ? new DeviceLinked(device.Name, changed.Count) : null;
    }

    private MessengerEvent? OnSentElsewhere(SentText sent)
    {
        if (ContactByMyIdentity(sent.Contact.Span) is not { } contact || sent.MessageId.Length != 16)
        {
            return null;
        }

        var id = Convert.ToHexStringLower(sent.MessageId.Span);
        var at = DateTimeOffset.FromUnixTimeSeconds(sent.SentAt);
        History.Append(new History.HistoryEntry(contact.Name, Outgoing: true, sent.Text, at, id, ExpiryOf(sent.DisappearAfter)));
        return new TextSentElsewhere(contact.Name, sent.Text, id, at);
    }

    /// <summary>A newer list of own devices: devices gone from it are forgotten, new ones get a session (the lower id starts it).</summary>
    private async Task<MessengerEvent?> OnOwnDevicesAsync(OwnDevices list)
    {
        using var deviceKey = Ed25519KeyPair.FromSeed(Data.DeviceKeySeed);
        var entries = DeviceLists.OpenOwnList(list, deviceKey.PublicKey, time.GetUtcNow(), out var version);
        if (entries is null || version <= Data.DevicesVersion)
        {
            return null;
        }

        if (entries.All(e => e.DeviceId != Data.DeviceId))
        {
            // This device was revoked elsewhere: it keeps what it has but has no one left to talk to as this profile.
            Data.Devices.Clear();
            Data.DevicesVersion = version;
            file.Save(Data);
            return new OwnDevicesChanged(0);
        }

        TakeOwnList(entries, version, list.ToByteArray());
        foreach (var device in Data.Devices.Where(d => d.Sessions.Count == 0 && d.DeviceId > Data.DeviceId).ToList())
        {
            await StartOwnDeviceSessionAsync(device);
        }

        return new OwnDevicesChanged(Data.Devices.Count);
    }

    /// <summary>Takes a checked list of own devices: records for new ones (with their cards), none for those gone from it.</summary>
    private void TakeOwnList(IReadOnlyList<(uint DeviceId, Card Card)> entries, ulong version, byte[] signed)
    {
        Data.Devices.RemoveAll(d => d.Confirmed && entries.All(e => e.DeviceId != d.DeviceId));
        foreach (var (deviceId, card) in entries.Where(e => e.DeviceId != Data.DeviceId))
        {
            var device = Data.Devices.FirstOrDefault(d => d.DeviceId == deviceId);
            if (device is null)
            {
                device = new OwnDeviceRecord { DeviceId = deviceId, LinkedAt = time.GetUtcNow(), Confirmed = true };
                Data.Devices.Add(device);
            }

            device.Name = card.Body.DisplayName;
            device.Card = Base64Url.Encode(card.SignedBytes);
            device.Outbox ??= new OutboxData { Server = card.Body.Mailbox.Server, SendId = card.Body.Mailbox.SendId.ToByteArray(), SenderKeySeed = Data.DevicesSenderSeed };
        }

        Data.DevicesVersion = version;
        Data.OwnDevicesList = Base64Url.Encode(signed);
        file.Save(Data);
    }

    /// <summary>Another own device published a new list to a contact: this device keeps it, to publish the next one from it.</summary>
    private void OnContactDevicesElsewhere(ContactDevices update)
    {
        if (ContactByMyIdentity(update.Contact.Span) is not { } contact || update.List is null)
        {
            return;
        }

        var entries = DeviceLists.OpenContactList(update.List, update.Contact.ToByteArray(), time.GetUtcNow(), out var version);
        var devices = DevicesOf(contact);
        if (entries is null || version <= devices.MyListVersion)
        {
            return;
        }

        devices.Mine = [.. entries.Select(e => new DeviceCardData { DeviceId = e.DeviceId, Card = Base64Url.Encode(e.Card.SignedBytes) })];
        devices.MyListVersion = version;
        file.Save(Data);
    }

    private ContactRecord? ContactByMyIdentity(ReadOnlySpan<byte> identityKey)
    {
        foreach (var contact in Data.Contacts)
        {
            using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
            if (identityKey.SequenceEqual(identity.PublicKey))
            {
                return contact;
            }
        }

        return null;
    }
}
