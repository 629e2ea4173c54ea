using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// A person's own devices (PROTOCOL.md 10.10): linking a new one with a one-time link and a code both show, the
/// signed list of own devices, revocation, and the sessions between own devices that carry the profile, the devices'
/// cards and mirrored messages.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>The owner of the inbox this device's own devices send to (AllMailboxes, GroupFor).</summary>
    private sealed class OwnDevicesMarker;

    private static readonly OwnDevicesMarker OwnDevicesOwner = new();

    /// <summary>The profile's devices: this one first, then the others in the order they were linked.</summary>
    public IReadOnlyList<(uint DeviceId, string Name, bool ThisDevice, bool Confirmed, DateTimeOffset? LinkedAt)> ListDevices() =>
        [(Data.DeviceId, Data.DeviceName, true, true, null), .. Data.Devices.Select(d => (d.DeviceId, d.Name, false, d.Confirmed, (DateTimeOffset?)d.LinkedAt))];

    /// <summary>
    /// Offers a one-time link for a new device called <paramref name="name"/>: a card (under its own prefix) whose mailbox
    /// the new device answers at. Replaces a link offered earlier and not answered.
    /// </summary>
    public async Task<string> OfferDeviceLinkAsync(string name, TimeSpan validFor, string? thisDeviceName = null)
    {
        await gate.WaitAsync();
        try
        {
            name = name.Trim();
            if (name.Length == 0 || name.Length > 40)
            {
                throw new MessengerException("name the new device (1 to 40 characters), e.g. 'laptop'");
            }

            if (Data.Devices.Count + 1 >= DeviceLists.MaxDevices)
            {
                throw new MessengerException($"this profile has {Data.Devices.Count + 1} devices, the most it may have; revoke one first ('purr devices revoke NAME')");
            }

            if (Data.Devices.Any(d => d.Name == name) || Data.DeviceName == name)
            {
                throw new MessengerException($"a device is already called '{name}'; choose another name");
            }

            await EnsureDevicesReadyAsync(thisDeviceName);
            if (Data.PendingLink is { } earlier)
            {
                Data.PendingLink = null;
                file.Save(Data);
                await DeleteMailboxQuietlyAsync(earlier.Mailbox);
            }

            var mailbox = await CreateMailboxAsync(Data.Server, senderKey: null, owner: OwnDevicesOwner);
            var link = new DeviceLinkRecord
            {
                Name = name,
                IdentitySeed = KeyMaterial.Draw(random, Ed25519.SeedBytes),
                IdentityDhSecret = KeyMaterial.Draw(random, X25519.KeyBytes),
                PrekeySecret = KeyMaterial.Draw(random, X25519.KeyBytes),
                KemSeed = KeyMaterial.Draw(random, MlKem768.SeedBytes),
                Mailbox = mailbox,
                ExpiresAt = time.GetUtcNow() + validFor,
            };
            using var secrets = LinkSecrets(link);
            var card = Card.Create(secrets, new MailboxAddress { Server = mailbox.Server, SendId = ByteString.CopyFrom(mailbox.SendId) }, name, link.ExpiresAt);
            link.Link = card.DeviceLink;
            Data.PendingLink = link;
            file.Save(Data);
            return link.Link;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Answers a device link from this new, empty profile: starts the session with the linking device and returns the
    /// code to compare with the one it shows. The profile arrives once the other device confirms.
    /// </summary>
    public async Task<string> AnswerDeviceLinkAsync(string linkText)
    {
        await gate.WaitAsync();
        try
        {
            var card = Card.ParseDeviceLink(linkText, time.GetUtcNow());
            if (Data.Contacts.Count > 0 || Data.Devices.Count > 0 || Data.Rooms.Count > 0)
            {
                throw new MessengerException("only a new, empty profile can join another device's profile");
            }

            EnsureDeviceId();
            Data.Server = card.Body.Mailbox.Server;
            if (Data.DeviceName.Length == 0)
            {
                Data.DeviceName = card.Body.DisplayName;
            }

            var inbox = Data.DevicesInbox ??= await CreateMailboxAsync(Data.Server, senderKey: null, owner: OwnDevicesOwner);
            var intro = NewEnvelope();
            intro.ContactIntro = new ContactIntro
            {
                ReplyTo = new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
                DisplayName = Data.DeviceName,
            };
            var initiated = ContactHandshake.Initiate(card, intro, random);
            var code = DeviceLists.LinkCode(card.Body.IdentityKey.ToByteArray(), initiated.Identity.PublicKey);
            Data.Devices.Add(new OwnDeviceRecord
            {
                TheirIdentityKey = card.Body.IdentityKey.ToByteArray(),
                Sessions = [new DeviceSessionData { State = initiated.Session.State, AssociatedData = initiated.Session.AssociatedData }],
                Inbox = inbox,
                LinkedAt = time.GetUtcNow(),
            });
            initiated.Identity.Dispose();
            initiated.IdentityDh.Dispose();
            file.Save(Data);
            using var anyone = Ed25519KeyPair.FromSeed(KeyMaterial.Draw(random, Ed25519.SeedBytes));
            await SendToMailboxAsync(card.Body.Mailbox.Server, card.Body.Mailbox.SendId.ToByteArray(),
                new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray(), anyone, tag: null, RouteChoice.Parse(null), GroupFor(card.Body.Mailbox.Server, OwnDevicesOwner));
            return code;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The new device answered the link: the session stands, waiting for the owner to compare the codes.</summary>
    private async Task<MessengerEvent?> OnLinkAnsweredAsync(DeviceLinkRecord link, ContactRequest request)
    {
        if (link.ExpiresAt <= time.GetUtcNow())
        {
            return null;
        }

        using var secrets = LinkSecrets(link);
        var responded = ContactHandshake.Respond(request, secrets, random);
        var deviceId = responded?.Intro.DeviceId ?? 0;
        if (responded?.Intro.ContactIntro?.ReplyTo is not { SendId.Length: 16 } replyTo || deviceId == 0
            || deviceId == Data.DeviceId || Data.Devices.Any(d => d.DeviceId == deviceId))
        {
            return null;
        }

        Data.Devices.Add(new OwnDeviceRecord
        {
            DeviceId = deviceId,
            Name = link.Name,
            LinkedAt = time.GetUtcNow(),
            TheirIdentityKey = responded.PeerIdentity,
            Sessions = [new DeviceSessionData { State = responded.Session.State, AssociatedData = responded.Session.AssociatedData }],
            Inbox = Data.DevicesInbox,
            Outbox = new OutboxData { Server = replyTo.Server, SendId = replyTo.SendId.ToByteArray(), SenderKeySeed = Data.DevicesSenderSeed },
        });
        Data.PendingLink = null;
        file.Save(Data);
        // The link is spent: its mailbox goes (what is left in it is this answer, acknowledged after this returns).
        await DeleteMailboxQuietlyAsync(link.Mailbox);
        return new DeviceLinkAnswered(link.Name, DeviceLists.LinkCode(secrets.Identity.PublicKey, responded.PeerIdentity), deviceId);
    }

    /// <summary>The codes matched: the new device gets the profile (with the history kept here, if asked).</summary>
    public async Task ConfirmDeviceLinkAsync(uint deviceId, IReadOnlyList<History.HistoryEntry> history)
    {
        await gate.WaitAsync();
        try
        {
            var device = Data.Devices.FirstOrDefault(d => d.DeviceId == deviceId && !d.Confirmed)
                ?? throw new MessengerException("no device waits for confirmation");
            device.Confirmed = true;
            file.Save(Data);
            var json = PortableProfile.ToJson(TransferCopy(), history);
            try
            {
                await SendChunksAsync(device, json, (sync, chunk) => sync.Profile = chunk);
            }
            finally
            {
                ConstantTime.Zero(json);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The codes did not match (someone else answered the link): that device gets nothing and is forgotten.</summary>
    public async Task RejectDeviceLinkAsync(uint deviceId)
    {
        await gate.WaitAsync();
        try
        {
            Data.Devices.RemoveAll(d => d.DeviceId == deviceId && !d.Confirmed);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Revokes another device of this profile: a new list of own devices without it goes to the others, and every
    /// contact gets a new device list without it, so nothing more is sealed for it and no session it offers is taken.
    /// </summary>
    public async Task RevokeDeviceAsync(string name)
    {
        await gate.WaitAsync();
        try
        {
            var device = Data.Devices.FirstOrDefault(d => d.Name == name)
                ?? throw new MessengerException(Data.DeviceName == name
                    ? "this is the device you are on; revoke it from another of your devices"
                    : $"no device called '{name}'; 'purr devices list' shows them");
            Data.Devices.Remove(device);
            file.Save(Data);
            if (Data.OwnDevicesList.Length > 0)
            {
                await PublishOwnDevicesAsync();
                // The revoked device gets the list too, a last message: a device that is merely given away (not stolen
                // and kept offline) stops at once and says so. Nothing else is ever sealed for it again.
                if (device.Confirmed && Base64Url.TryDecode(Data.OwnDevicesList, out var signed))
                {
                    await SendToOwnDeviceAsync(device, new DeviceSync { OwnDevices = OwnDevices.Parser.ParseFrom(signed) });
                }
            }

            foreach (var contact in Data.Contacts.Where(c => c.Devices?.Mine.Any(m => m.DeviceId == device.DeviceId) == true).ToList())
            {
                var devices = contact.Devices!;
                devices.Mine.RemoveAll(m => m.DeviceId == device.DeviceId);
                devices.MyListVersion++;
                file.Save(Data);
                await PublishDeviceListAsync(contact);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Makes what a profile needs to have devices: an id, the shared device key and sender key, an inbox, a card.</summary>
    private async Task EnsureDevicesReadyAsync(string? thisDeviceName)
    {
        EnsureDeviceId();
        if (!string.IsNullOrWhiteSpace(thisDeviceName) && thisDeviceName.Trim() != Data.DeviceName && !Data.Devices.Any(d => d.Confirmed))
        {
            // Named before any other device knows this one: its card and the list are made again with the name.
            Data.DeviceName = thisDeviceName.Trim();
            Data.OwnDeviceKeys = null;
            Data.OwnDevicesList = "";
        }

        if (Data.DeviceName.Length == 0)
        {
            Data.DeviceName = "first device";
        }

        if (Data.DeviceKeySeed.Length == 0)
        {
            Data.DeviceKeySeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
            Data.DevicesSenderSeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
        }

        if (Data.DevicesInbox is null)
        {
            using var sender = Ed25519KeyPair.FromSeed(Data.DevicesSenderSeed);
            Data.DevicesInbox = await CreateMailboxAsync(Data.Server, sender.PublicKey, owner: OwnDevicesOwner);
        }

        Data.OwnDeviceKeys ??= NewDeviceKeys(Data.DeviceKeySeed, Data.DevicesInbox);
        file.Save(Data);
        if (Data.OwnDevicesList.Length == 0)
        {
            await PublishOwnDevicesAsync();
        }
    }

    /// <summary>Signs the list of own devices (this one and every confirmed one with a card) and sends it to them.</summary>
    private async Task PublishOwnDevicesAsync()
    {
        using var deviceKey = Ed25519KeyPair.FromSeed(Data.DeviceKeySeed);
        Data.DevicesVersion++;
        var entries = new List<(uint, byte[])> { (Data.DeviceId, CardBytes(Data.OwnDeviceKeys!.Card)) };
        entries.AddRange(Data.Devices.Where(d => d.Confirmed && d.Card.Length > 0).Select(d => (d.DeviceId, CardBytes(d.Card))));
        var list = DeviceLists.SignOwnList(deviceKey, Data.DevicesVersion, entries);
        Data.OwnDevicesList = Base64Url.Encode(list.ToByteArray());
        file.Save(Data);
        await SendToOwnDevicesAsync(new DeviceSync { OwnDevices = list });
    }

    /// <summary>Sends to every confirmed own device with a session; one that cannot be reached gets it with the next change.</summary>
    private async Task SendToOwnDevicesAsync(DeviceSync sync)
    {
        foreach (var device in Data.Devices.Where(d => d.Confirmed).ToList())
        {
            await SendToOwnDeviceAsync(device, sync);
        }
    }

    private async Task<bool> SendToOwnDeviceAsync(OwnDeviceRecord device, DeviceSync sync)
    {
        if (device.Sessions.Count == 0 || device.Outbox is not { } outbox)
        {
            return false;
        }

        var envelope = NewEnvelope();
        envelope.DeviceSync = sync;
        var payload = new MailboxPayload { Ratchet = new Session(device.Sessions[0].State, device.Sessions[0].AssociatedData).Seal(envelope, random) };
        file.Save(Data);
        try
        {
            using var sender = Ed25519KeyPair.FromSeed(outbox.SenderKeySeed);
            await SendToMailboxAsync(outbox.Server, outbox.SendId, payload.ToByteArray(), sender, tag: null, RouteChoice.Parse(null), GroupFor(outbox.Server, OwnDevicesOwner));
            return true;
        }
        catch (PurrClientException)
        {
            return false;
        }
    }

    /// <summary>A text sent here appears on the other devices too.</summary>
    private async Task MirrorSentAsync(ContactRecord contact, Envelope envelope)
    {
        if (!Data.Devices.Any(d => d.Confirmed))
        {
            return;
        }

        using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
        await SendToOwnDevicesAsync(new DeviceSync
        {
            Sent = new SentText
            {
                Contact = ByteString.CopyFrom(identity.PublicKey),
                MessageId = envelope.MessageId,
                SentAt = envelope.SentAt,
                Text = envelope.Text.Text_,
                DisappearAfter = envelope.DisappearAfter,
            },
        });
    }

    /// <summary>Starts a session with an own device from its card in the list of own devices.</summary>
    private async Task StartOwnDeviceSessionAsync(OwnDeviceRecord device)
    {
        if (Data.OwnDeviceKeys is null || Data.DevicesInbox is null || device.Card.Length == 0)
        {
            return;
        }

        var card = Card.FromSignedBytes(CardBytes(device.Card), time.GetUtcNow());
        var intro = NewEnvelope();
        intro.ContactIntro = new ContactIntro
        {
            ReplyTo = new MailboxAddress { Server = Data.DevicesInbox.Server, SendId = ByteString.CopyFrom(Data.DevicesInbox.SendId) },
            DisplayName = Data.DeviceName,
        };
        var initiated = ContactHandshake.Initiate(card, intro, random, Data.DeviceKeySeed, Data.OwnDeviceKeys.IdentityDhSecret);
        initiated.Identity.Dispose();
        initiated.IdentityDh.Dispose();
        device.TheirIdentityKey = card.Body.IdentityKey.ToByteArray();
        device.Sessions.Insert(0, new DeviceSessionData { State = initiated.Session.State, AssociatedData = initiated.Session.AssociatedData });
        device.Outbox = new OutboxData { Server = card.Body.Mailbox.Server, SendId = card.Body.Mailbox.SendId.ToByteArray(), SenderKeySeed = Data.DevicesSenderSeed };
        device.Inbox = Data.DevicesInbox;
        file.Save(Data);
        try
        {
            using var sender = Ed25519KeyPair.FromSeed(Data.DevicesSenderSeed);
            await SendToMailboxAsync(device.Outbox.Server, device.Outbox.SendId, new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray(),
                sender, tag: null, RouteChoice.Parse(null), GroupFor(device.Outbox.Server, OwnDevicesOwner));
        }
        catch (PurrClientException)
        {
            device.Sessions.RemoveAt(0);
            file.Save(Data);
        }
    }

    /// <summary>An own device offers a session (it is on the list of own devices, and the offer is sealed to this device's card).</summary>
    private MessengerEvent? OnOwnDeviceOffer(ContactRequest request)
    {
        if (Data.OwnDeviceKeys is not { } keys)
        {
            return null;
        }

        using var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(Data.DeviceKeySeed), X25519KeyPair.FromSecret(keys.IdentityDhSecret), X25519KeyPair.FromSecret(keys.PrekeySecret),
            keys.KemSeed.ToArray());
        var responded = ContactHandshake.Respond(request, secrets, random);
        var device = responded is null ? null : Data.Devices.FirstOrDefault(d => d.DeviceId == responded.Intro.DeviceId && d.Confirmed && d.Card.Length > 0);
        if (responded is null || device is null || !responded.PeerIdentity.AsSpan().SequenceEqual(secrets.Identity.PublicKey)
            || !CardBodyOf(device.Card).IdentityDhKey.Span.SequenceEqual(responded.PeerIdentityDh)
            || responded.Intro.ContactIntro?.ReplyTo is not { SendId.Length: 16 } replyTo)
        {
            return null;
        }

        device.Sessions.Insert(0, new DeviceSessionData { State = responded.Session.State, AssociatedData = responded.Session.AssociatedData });
        if (device.Sessions.Count > SessionsPerDevice)
        {
            device.Sessions.RemoveRange(SessionsPerDevice, device.Sessions.Count - SessionsPerDevice);
        }

        device.Outbox = new OutboxData { Server = replyTo.Server, SendId = replyTo.SendId.ToByteArray(), SenderKeySeed = Data.DevicesSenderSeed };
        device.Inbox = Data.DevicesInbox;
        return null;
    }

    private static CardSecrets LinkSecrets(DeviceLinkRecord link) => new(
        Ed25519KeyPair.FromSeed(link.IdentitySeed), X25519KeyPair.FromSecret(link.IdentityDhSecret), X25519KeyPair.FromSecret(link.PrekeySecret), link.KemSeed.ToArray());
}
