using Google.Protobuf;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

public sealed partial class Messenger
{
    /// <summary>
    /// Fetches everything waiting in every mailbox of this profile (completing handshakes on the way).
    /// If nothing was waiting and <paramref name="wait"/> is positive, subscribes and waits up to that
    /// long for the first message.
    /// </summary>
    public Task<IReadOnlyList<MessengerEvent>> ReceiveAsync(TimeSpan wait, CancellationToken cancellationToken = default) =>
        ReceiveAsync(wait, onConnection: null, cancellationToken);

    /// <summary>Like <see cref="ReceiveAsync(TimeSpan, CancellationToken)"/>; a wait survives a server restart, reported to <paramref name="onConnection"/>.</summary>
    public async Task<IReadOnlyList<MessengerEvent>> ReceiveAsync(
        TimeSpan wait, Action<ServerConnectionChanged>? onConnection, CancellationToken cancellationToken = default)
    {
        var events = new List<MessengerEvent>();
        await DrainAsync(events, cancellationToken);
        if (events.All(e => e is ServerUnreachable) && wait > TimeSpan.Zero)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(wait);
            try
            {
                await ListenAsync(e =>
                {
                    events.Add(e);
                    return events.Count > 0 && e is TextReceived or ContactEstablished or ContactRenamed or ContactRemovedUs or ServerAnnouncement
                        or DeviceLinkAnswered or DeviceLinked or ProfileLinked or TextSentElsewhere;
                }, onConnection, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            try
            {
                await DrainAsync(events, cancellationToken);
            }
            catch (PurrConnectionException) when (events.Count > 0)
            {
                // What was received is saved and acknowledged: it must reach the caller even if the server went since.
            }
        }

        return events;
    }

    private async Task DrainAsync(List<MessengerEvent> events, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await DrainLockedAsync(events, server: null, cancellationToken);
            // Broadcasts come right after the hello, ahead of any answer: one round trip to the profile's own server
            // (even a profile without mailboxes hears its operator) and every one of them is waiting by now.
            try
            {
                await (await ConnectAsync(Data.Server)).PingAsync(cancellationToken);
            }
            catch (PurrConnectionException) when (AllMailboxes().Any(m => m.Mailbox.Server != Data.Server))
            {
                // The profile's own server is away but its mailboxes elsewhere were read: what was fetched stands.
            }
            foreach (var ((server, _), connection) in connections)
            {
                while (connection.Events.TryPeek(out var pushed) && pushed is ServerBroadcastReceived broadcast && connection.Events.TryRead(out _))
                {
                    Announce(server, broadcast, events);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Fetches what waits in the mailboxes (on <paramref name="server"/> only, if given). The caller holds the gate.</summary>
    private async Task DrainLockedAsync(List<MessengerEvent> events, string? server, CancellationToken cancellationToken)
    {
        // New mailboxes can appear while draining (a move); loop until a pass finds nothing. A server that cannot be
        // reached is skipped (and said so) so that the mailboxes on the others are still read; only when none of the
        // profile's servers answers does the whole receive fail.
        var unreachable = new Dictionary<string, PurrConnectionException>();
        var reached = false;
        bool found;
        do
        {
            found = false;
            foreach (var (mailbox, owner) in AllMailboxes().Where(m => server is null || m.Mailbox.Server == server))
            {
                if (unreachable.ContainsKey(mailbox.Server))
                {
                    continue;
                }

                // Handling an earlier message may have removed this one (a contact that removed us takes
                // all its mailboxes, the retiring ones of a move too): it is gone from the server as well.
                if (!AllMailboxes().Any(m => m.Mailbox == mailbox))
                {
                    continue;
                }

                try
                {
                    var connection = await ConnectAsync(mailbox.Server, group: GroupFor(mailbox.Server, owner));
                    using var key = Ed25519KeyPair.FromSeed(mailbox.RecipientKeySeed);
                    if (await FetchMailboxKeyAsync(connection, mailbox, key, cancellationToken))
                    {
                        file.Save(Data);
                    }

                    while (await connection.FetchAsync(mailbox.ReceiveId, key, cancellationToken) is { } message)
                    {
                        found = true;
                        await HandleAsync(connection, mailbox.ReceiveId, message.MessageId, message.Payload, events);
                        if (!AllMailboxes().Any(m => m.Mailbox == mailbox))
                        {
                            break;
                        }
                    }

                    reached = true;
                }
                catch (PurrConnectionException e) when (server is null)
                {
                    unreachable[mailbox.Server] = e;
                }
            }

            await RetireDrainedMailboxesAsync(events);
        }
        while (found);

        if (unreachable.Count > 0 && !reached && events.Count == 0)
        {
            throw unreachable.Values.First();
        }

        events.AddRange(unreachable.Select(u => new ServerUnreachable(u.Key, u.Value.Message)));
    }

    private List<(MailboxRecordData Mailbox, object Owner)> AllMailboxes() =>
        [
            .. Data.Invites.Select(i => (i.Mailbox, (object)i)),
            .. Data.Contacts.SelectMany(c => c.Inbox.Select(m => (m, (object)c))),
            .. Data.Contacts.Where(c => c.PresenceInbox is not null).Select(c => (c.PresenceInbox!, (object)c)),
            .. (Data.Address is { } address ? [(address.Mailbox, (object)address)] : Array.Empty<(MailboxRecordData, object)>()),
            .. (Data.DevicesInbox is { } devices ? [(devices, (object)OwnDevicesOwner)] : Array.Empty<(MailboxRecordData, object)>()),
            .. (Data.PendingLink is { } link ? [(link.Mailbox, (object)link)] : Array.Empty<(MailboxRecordData, object)>()),
        ];

    /// <summary>Handles one stored message, saves the profile, then acknowledges it.</summary>
    private async Task HandleAsync(PurrConnection connection, byte[] receiveId, byte[] messageId, byte[] payload, List<MessengerEvent> events)
    {
        var owner = AllMailboxes().FirstOrDefault(m => m.Mailbox.ReceiveId.AsSpan().SequenceEqual(receiveId));
        if (owner.Mailbox is not null)
        {
            MailboxPayload? parsed = null;
            try
            {
                parsed = MailboxPayload.Parser.ParseFrom(payload);
            }
            catch (InvalidProtocolBufferException)
            {
            }

            var produced = (owner.Owner, parsed?.KindCase) switch
            {
                (InviteRecord invite, MailboxPayload.KindOneofCase.ContactRequest) => await CompleteInviteAsync(invite, parsed!.ContactRequest),
                (AddressRecord address, MailboxPayload.KindOneofCase.AddressRequest) => await ReceiveRequestAsync(address, parsed!.AddressRequest),
                (ContactRecord contact, MailboxPayload.KindOneofCase.Presence) when owner.Mailbox == contact.PresenceInbox => await OnPresenceAsync(contact, parsed!.Presence),
                (ContactRecord contact, _) when owner.Mailbox == contact.PresenceInbox => null,
                (ContactRecord contact, MailboxPayload.KindOneofCase.Ratchet) => await OpenAsync(contact, parsed!.Ratchet),
                (ContactRecord contact, MailboxPayload.KindOneofCase.ContactRequest) => await OnContactDeviceOfferAsync(contact, parsed!.ContactRequest),
                (DeviceLinkRecord link, MailboxPayload.KindOneofCase.ContactRequest) => await OnLinkAnsweredAsync(link, parsed!.ContactRequest),
                (OwnDevicesMarker, MailboxPayload.KindOneofCase.Ratchet) => await OpenFromOwnDeviceAsync(parsed!.Ratchet),
                (OwnDevicesMarker, MailboxPayload.KindOneofCase.ContactRequest) => OnOwnDeviceOffer(parsed!.ContactRequest),
                (ContactRecord contact, _) => new UndecryptableMessage(contact.Name),
                _ => null,
            };
            if (produced is not null)
            {
                events.Add(produced);
            }

            file.Save(Data);
            if (owner.Owner is ContactRecord { PresenceInbox: { } presenceInbox } && presenceInbox == owner.Mailbox)
            {
                // Live-only: nothing was stored, there is nothing to acknowledge.
                return;
            }

            using var key = Ed25519KeyPair.FromSeed(owner.Mailbox.RecipientKeySeed);
            try
            {
                await connection.AckAsync(receiveId, messageId, key);
            }
            catch (PurrProtocolException e) when (e.Code is ErrorCode.NoMessage or ErrorCode.Auth)
            {
                // Already acknowledged, or the mailbox was deleted while handling (a finished move).
            }
        }
    }

    private async Task<MessengerEvent?> OpenAsync(ContactRecord contact, RatchetEnvelope sealedMessage)
    {
        var (status, envelope, device) = OpenFromContact(contact, sealedMessage);
        if (status == DecryptStatus.Duplicate)
        {
            return null;
        }

        if (status != DecryptStatus.Ok || envelope is null)
        {
            return new UndecryptableMessage(contact.Name);
        }

        var id = Convert.ToHexStringLower(envelope.MessageId.Span);
        if (contact.SeenMessageIds.Contains(id))
        {
            return null;
        }

        Remember(contact.SeenMessageIds, id);
        device = LearnDeviceId(contact, device, envelope.DeviceId);
        switch (envelope.BodyCase)
        {
            case Envelope.BodyOneofCase.DeviceList:
                return await OnContactDeviceListAsync(contact, envelope.DeviceId, envelope.DeviceList);
            case Envelope.BodyOneofCase.Text:
                var receipt = NewEnvelope();
                receipt.Receipt = new Receipt { MessageIds = { envelope.MessageId } };
                try
                {
                    await SendEnvelopeAsync(contact, receipt);
                }
                catch (PurrClientException)
                {
                    // The receipt is best effort: when the contact's server cannot be reached, the text must still be
                    // shown and kept (it is already marked seen, so failing here would lose it on the next receive).
                }
                History.Append(new History.HistoryEntry(
                    contact.Name, Outgoing: false, envelope.Text.Text_, DateTimeOffset.FromUnixTimeSeconds(envelope.SentAt), id, ExpiryOf(envelope.DisappearAfter)));
                return new TextReceived(contact.Name, envelope.Text.Text_, id, DateTimeOffset.FromUnixTimeSeconds(envelope.SentAt));
            case Envelope.BodyOneofCase.Receipt:
                var delivered = envelope.Receipt.MessageIds.Select(m => Convert.ToHexStringLower(m.Span)).ToList();
                delivered.ForEach(d => Remember(contact.Delivered, d));
                return new MessagesDelivered(contact.Name, delivered);
            case Envelope.BodyOneofCase.ContactAccepted when envelope.ContactAccepted.SenderKey.Length == Ed25519.PublicKeyBytes:
                contact.TheirSenderKey = envelope.ContactAccepted.SenderKey.ToByteArray();
                contact.DisplayName = envelope.ContactAccepted.DisplayName;
                file.Save(Data);
                foreach (var mailbox in contact.Inbox)
                {
                    await SecureAsync(mailbox, contact.TheirSenderKey);
                }

                await ShareContactAsync(contact);
                return new ContactEstablished(contact.Name, contact.DisplayName);
            case Envelope.BodyOneofCase.DisappearingTimer:
                // The chat's setting, for this side's sends too: both sides honour the last one either side set.
                contact.DisappearAfterSeconds = DisappearingMessages.Normalize(envelope.DisappearingTimer.Seconds);
                file.Save(Data);
                return new DisappearingTimerChanged(contact.Name, contact.DisappearAfterSeconds);
            case Envelope.BodyOneofCase.ProfileUpdate:
                contact.DisplayName = envelope.ProfileUpdate.DisplayName;
                return new ContactRenamed(contact.Name, contact.DisplayName);
            case Envelope.BodyOneofCase.MailboxMove when envelope.MailboxMove.Mailbox is { } target && target.SendId.Length == 16:
                if (device is not null)
                {
                    // One device of the contact moved its inbox for this profile: only sends to that device change.
                    device.Server = target.Server;
                    device.SendId = target.SendId.ToByteArray();
                }
                else
                {
                    contact.Outbox = new OutboxData { Server = target.Server, SendId = target.SendId.ToByteArray(), SenderKeySeed = contact.Outbox!.SenderKeySeed };
                }

                var ack = NewEnvelope();
                ack.MailboxMoveAck = new MailboxMoveAck { Mailbox = target };
                await SendEnvelopeAsync(contact, ack);
                return new ContactMovedMailbox(contact.Name);
            case Envelope.BodyOneofCase.MailboxMoveAck:
                // The contact now sends only to the new mailbox; the old ones are drained, then deleted.
                contact.RetireOldInbox = contact.Inbox.Any(m => m.Retiring);
                return new MailboxMoveCompleted(contact.Name);
            case Envelope.BodyOneofCase.PresenceChannel when envelope.PresenceChannel.Mailbox is { SendId.Length: 16 } && envelope.PresenceChannel.Key.Length == 32:
                await OnPresenceChannelAsync(contact, envelope.PresenceChannel);
                return null;
            case Envelope.BodyOneofCase.ContactDeleted:
                await ForgetAsync(contact);
                return new ContactRemovedUs(contact.Name);
            default:
                return null;
        }
    }

    /// <summary>After a move is acknowledged, the old mailboxes are drained (by the caller) and deleted.</summary>
    private async Task RetireDrainedMailboxesAsync(List<MessengerEvent> events)
    {
        foreach (var contact in Data.Contacts.Where(c => c.RetireOldInbox).ToList())
        {
            foreach (var old in contact.Inbox.Where(m => m.Retiring).ToList())
            {
                using var key = Ed25519KeyPair.FromSeed(old.RecipientKeySeed);
                var connection = await ConnectAsync(old.Server, group: GroupFor(old.Server, contact));
                if (await connection.FetchAsync(old.ReceiveId, key) is { } straggler)
                {
                    await HandleAsync(connection, old.ReceiveId, straggler.MessageId, straggler.Payload, events);
                    continue;
                }

                contact.Inbox.Remove(old);
                file.Save(Data);
                await DeleteMailboxQuietlyAsync(old);
            }

            contact.RetireOldInbox = contact.Inbox.Any(m => m.Retiring);
        }
    }
}
