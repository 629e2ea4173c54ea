using Google.Protobuf;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

public sealed partial class Messenger
{
    /// <summary>Sends a text; returns its message id (hex), which a later receipt names.</summary>
    public async Task<string> SendTextAsync(string name, string text)
    {
        await gate.WaitAsync();
        try
        {
            var contact = Contact(name);
            var envelope = NewEnvelope();
            envelope.Text = new Text { Text_ = text };
            envelope.DisappearAfter = contact.DisappearAfterSeconds;
            await SendEnvelopeAsync(contact, envelope);
            var id = Convert.ToHexStringLower(envelope.MessageId.Span);
            History.Append(new History.HistoryEntry(name, Outgoing: true, text, DateTimeOffset.FromUnixTimeSeconds(envelope.SentAt), id, ExpiryOf(envelope.DisappearAfter)));
            await MirrorSentAsync(contact, envelope);
            return id;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Sets the chat's disappearing-message timer (0: off) and tells the contact, whose client adopts it for both sides
    /// (PROTOCOL.md 10.5); returns the timer as kept, within <see cref="DisappearingMessages"/>' limits.
    /// </summary>
    public async Task<uint> SetDisappearingAsync(string name, uint seconds)
    {
        await gate.WaitAsync();
        try
        {
            var contact = Contact(name);
            var normalized = DisappearingMessages.Normalize(seconds);
            var envelope = NewEnvelope();
            envelope.DisappearingTimer = new DisappearingTimer { Seconds = normalized };
            await SendEnvelopeAsync(contact, envelope);
            contact.DisappearAfterSeconds = normalized;
            file.Save(Data);
            if (Data.Devices.Any(d => d.Confirmed))
            {
                using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
                await SendToOwnDevicesAsync(new DeviceSync { Timer = new ContactTimer { Contact = ByteString.CopyFrom(identity.PublicKey), Seconds = normalized } });
            }

            return normalized;
        }
        finally
        {
            gate.Release();
        }
    }

    private DateTimeOffset? ExpiryOf(uint disappearAfter) => DisappearingMessages.ExpiryOf(time.GetUtcNow(), disappearAfter);

    /// <summary>Tells every contact a new display name.</summary>
    public async Task UpdateDisplayNameAsync(string displayName)
    {
        await gate.WaitAsync();
        try
        {
            foreach (var contact in Data.Contacts.Where(c => c.Outbox is not null).ToList())
            {
                var envelope = NewEnvelope();
                envelope.ProfileUpdate = new ProfileUpdate { DisplayName = displayName };
                await SendEnvelopeAsync(contact, envelope);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Moves where this contact sends to: a new mailbox (on <paramref name="server"/> or the profile's
    /// server), announced inside the session. The old mailbox keeps working until the contact acknowledges.
    /// </summary>
    public async Task MoveMailboxAsync(string name, string? server = null)
    {
        await gate.WaitAsync();
        try
        {
            var contact = Contact(name);
            var fresh = await CreateMailboxAsync(server ?? Data.Server, contact.TheirSenderKey, owner: contact);
            foreach (var old in contact.Inbox)
            {
                old.Retiring = true;
            }

            contact.Inbox.Insert(0, fresh);
            var envelope = NewEnvelope();
            envelope.MailboxMove = new MailboxMove { Mailbox = new MailboxAddress { Server = fresh.Server, SendId = ByteString.CopyFrom(fresh.SendId) } };
            await SendEnvelopeAsync(contact, envelope);
            await MoveDeviceCardAsync(contact, fresh);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Tells the contact, deletes this side's mailboxes for it, and forgets it.</summary>
    public async Task RemoveContactAsync(string name)
    {
        await gate.WaitAsync();
        try
        {
            var contact = Contact(name);
            if (contact.Outbox is not null)
            {
                var envelope = NewEnvelope();
                envelope.ContactDeleted = new ContactDeleted();
                await SendEnvelopeAsync(contact, envelope);
            }

            await ForgetAsync(contact);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ForgetAsync(ContactRecord contact)
    {
        Data.Contacts.Remove(contact);
        file.Save(Data);
        foreach (var mailbox in contact.Inbox)
        {
            await DeleteMailboxQuietlyAsync(mailbox);
        }

        if (contact.PresenceInbox is { } presence)
        {
            await DeleteMailboxQuietlyAsync(presence);
        }
    }

    private async Task DeleteMailboxQuietlyAsync(MailboxRecordData mailbox)
    {
        try
        {
            using var key = Ed25519KeyPair.FromSeed(mailbox.RecipientKeySeed);
            await (await ConnectAsync(mailbox.Server, group: GroupOf(mailbox))).DeleteMailboxAsync(mailbox.ReceiveId, key);
        }
        catch (PurrClientException)
        {
            // Already gone, or the server is unreachable: its messages expire there anyway.
        }
    }

    /// <summary>
    /// Seals once for every device of the contact that has a session (PROTOCOL.md 10.10) and sends each to its inbox.
    /// The advanced ratchets are saved first, so a crash can never reuse a message key. Fails only when no device could
    /// be reached (one that could not gets nothing of this message; its session stays consistent).
    /// </summary>
    private async Task SendEnvelopeAsync(ContactRecord contact, Envelope envelope)
    {
        if (contact.Outbox is null)
        {
            throw new MessengerException($"'{contact.Name}' has not told us where to send yet; run 'purr receive' first");
        }

        var targets = SendTargets(contact);
        if (targets.Count == 0)
        {
            throw new MessengerException($"no session with any device of '{contact.Name}' yet: one starts when a device of theirs answers; run 'purr receive' and try again");
        }

        var sealedOnes = targets.Select(t => (t.Server, t.SendId, Payload: new MailboxPayload { Ratchet = t.Session.Seal(envelope, random) })).ToList();
        file.Save(Data);
        PurrClientException? failure = null;
        var sent = 0;
        foreach (var (server, sendId, payload) in sealedOnes)
        {
            try
            {
                await SendPayloadToAsync(contact, server, sendId, payload);
                sent++;
            }
            catch (PurrClientException e)
            {
                failure ??= e;
            }
        }

        if (sent == 0 && failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Sends to the contact's first mailbox (the card's, for a contact request).</summary>
    private Task SendPayloadAsync(ContactRecord contact, MailboxPayload payload) =>
        SendPayloadToAsync(contact, contact.Outbox!.Server, contact.Outbox.SendId, payload);

    private async Task SendPayloadToAsync(ContactRecord contact, string server, byte[] sendId, MailboxPayload payload)
    {
        using var sender = Ed25519KeyPair.FromSeed(contact.Outbox!.SenderKeySeed);
        await SendToMailboxAsync(server, sendId, payload.ToByteArray(), sender, tag: null, RouteOf(contact), GroupFor(server, contact));
    }
}
