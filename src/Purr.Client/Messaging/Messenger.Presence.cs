using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Encrypted presence (PROTOCOL.md 10.9), opt-in: each side gives the other a live-only mailbox and a key (a
/// PresenceChannel inside the ratchet); statuses and queries travel sealed to it and are never stored by the server.
/// A client that is running answers queries, so "online" means a client of the profile is running right now.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>Queries from one contact are answered at most this often; anything faster is ignored.</summary>
    public static readonly TimeSpan PresenceAnswerInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, long> presenceSeenAt = [];
    private readonly Dictionary<string, DateTimeOffset> presenceAnsweredAt = [];

    /// <summary>Turns presence on (first use) and sets the status; every sharing contact that gave a channel is told now.</summary>
    public async Task SetPresenceAsync(PresenceStatus status, string text = "")
    {
        if (text.Length > PresenceSeal.MaxTextLength)
        {
            throw new MessengerException($"the status text is at most {PresenceSeal.MaxTextLength} characters");
        }

        await gate.WaitAsync();
        try
        {
            Data.PresenceEnabled = true;
            Data.Presence = status;
            Data.PresenceText = text;
            file.Save(Data);
            await EnsurePresenceChannelsLockedAsync();
            foreach (var contact in Data.Contacts.Where(c => c.SharePresence))
            {
                await SendPresenceLockedAsync(contact, CurrentPresence());
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Turns presence off: the presence mailboxes are deleted, so nothing reaches or leaves this profile any more.</summary>
    public async Task DisablePresenceAsync()
    {
        await gate.WaitAsync();
        try
        {
            Data.PresenceEnabled = false;
            foreach (var contact in Data.Contacts.Where(c => c.PresenceInbox is not null))
            {
                await DeleteMailboxQuietlyAsync(contact.PresenceInbox!);
                contact.PresenceInbox = null;
                contact.PresenceInboxKey = [];
            }

            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Whether one contact sees this profile's presence.</summary>
    public async Task SetSharePresenceAsync(string name, bool share)
    {
        await gate.WaitAsync();
        try
        {
            Contact(name).SharePresence = share;
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Tells every sharing contact this profile's status now (or that it goes offline): for a client that starts or stops.</summary>
    public async Task AnnouncePresenceAsync(bool offline = false)
    {
        await gate.WaitAsync();
        try
        {
            if (!Data.PresenceEnabled)
            {
                return;
            }

            await EnsurePresenceChannelsLockedAsync();
            var presence = offline ? new PresencePlaintext { Status = PresenceStatus.Offline, SentAtMs = time.GetUtcNow().ToUnixTimeMilliseconds() } : CurrentPresence();
            foreach (var contact in Data.Contacts.Where(c => c.SharePresence))
            {
                await SendPresenceLockedAsync(contact, presence);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Asks every contact for its presence and collects the answers for up to <paramref name="wait"/> (sooner once all
    /// answered). A contact whose client is not running answers nothing: it is shown as offline.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PresenceChanged>> QueryPresenceAsync(TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var answers = new Dictionary<string, PresenceChanged>();
        List<(PurrConnection Connection, HashSet<string> Inboxes)> listening = [];
        int asked;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!Data.PresenceEnabled)
            {
                return answers;
            }

            await EnsurePresenceChannelsLockedAsync();
            foreach (var group in Data.Contacts.Where(c => c.PresenceInbox is not null).GroupBy(c => (c.PresenceInbox!.Server, Group: GroupFor(c.PresenceInbox!.Server, c))))
            {
                var connection = await ConnectAsync(group.Key.Server, group: group.Key.Group);
                foreach (var contact in group)
                {
                    using var key = Ed25519KeyPair.FromSeed(contact.PresenceInbox!.RecipientKeySeed);
                    await connection.SubscribeAsync(contact.PresenceInbox.ReceiveId, key, cancellationToken);
                }

                var inboxes = group.Select(c => Convert.ToHexStringLower(c.PresenceInbox!.ReceiveId)).ToHashSet();
                listening.Add((connection, inboxes));

                // What arrived since an earlier query on this connection is older news: take it in first, so it
                // neither passes for an answer nor ends the wait early.
                while (connection.Events.TryPeek(out var buffered) && buffered is MessageReceived old && inboxes.Contains(Convert.ToHexStringLower(old.ReceiveId))
                    && connection.Events.TryRead(out _))
                {
                    var produced = new List<MessengerEvent>();
                    await HandleAsync(connection, old.ReceiveId, old.MessageId, old.Payload, produced);
                    foreach (var change in produced.OfType<PresenceChanged>())
                    {
                        answers[change.Contact] = change;
                    }
                }
            }

            var query = new PresencePlaintext { Query = true, SentAtMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            var askedContacts = Data.Contacts.Where(c => c.SharePresence && c.PresenceOutbox is not null).ToList();
            foreach (var contact in askedContacts)
            {
                await SendPresenceLockedAsync(contact, query);
            }

            asked = askedContacts.Count;
        }
        finally
        {
            gate.Release();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        try
        {
            var reads = listening.Select(l => ReadPresenceAsync(l.Connection, l.Inboxes, answers, asked, deadline)).ToList();
            await Task.WhenAll(reads);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return answers;
    }

    private async Task ReadPresenceAsync(
        PurrConnection connection, HashSet<string> inboxes, Dictionary<string, PresenceChanged> answers, int asked, CancellationTokenSource deadline)
    {
        var answered = new HashSet<string>();
        while (true)
        {
            var pushed = await connection.Events.ReadAsync(deadline.Token);
            if (pushed is not MessageReceived message || !inboxes.Contains(Convert.ToHexStringLower(message.ReceiveId)))
            {
                continue;
            }

            var produced = new List<MessengerEvent>();
            await gate.WaitAsync(deadline.Token);
            try
            {
                await HandleAsync(connection, message.ReceiveId, message.MessageId, message.Payload, produced);
            }
            finally
            {
                gate.Release();
            }

            lock (answers)
            {
                foreach (var change in produced.OfType<PresenceChanged>())
                {
                    answers[change.Contact] = change;
                    answered.Add(change.Contact);
                }

                if (answered.Count >= asked)
                {
                    deadline.Cancel();
                }
            }
        }
    }

    /// <summary>Every established contact gets a presence channel to this profile (the gate is held).</summary>
    private async Task EnsurePresenceChannelsLockedAsync()
    {
        foreach (var contact in Data.Contacts.Where(c => c.PresenceInbox is null && c.Outbox is not null && c.TheirSenderKey is not null).ToList())
        {
            try
            {
                var inbox = await CreateMailboxAsync(Data.Server, contact.TheirSenderKey, lifetimeSeconds: 0, owner: contact);
                contact.PresenceInbox = inbox;
                contact.PresenceInboxKey = KeyMaterial.Draw(random, 32);
                file.Save(Data);
                var channel = NewEnvelope();
                channel.PresenceChannel = new PresenceChannel
                {
                    Mailbox = new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
                    Key = ByteString.CopyFrom(contact.PresenceInboxKey),
                };
                await SendEnvelopeAsync(contact, channel);
            }
            catch (PurrClientException)
            {
                // The contact's server is away: the channel is offered again next time.
            }
        }
    }

    /// <summary>Seals and sends to the contact's presence channel; a channel that is gone is forgotten quietly.</summary>
    private async Task SendPresenceLockedAsync(ContactRecord contact, PresencePlaintext presence)
    {
        if (contact.PresenceOutbox is not { } outbox || contact.Outbox is null)
        {
            return;
        }

        try
        {
            using var sender = Ed25519KeyPair.FromSeed(contact.Outbox.SenderKeySeed);
            var payload = new MailboxPayload { Presence = PresenceSeal.Seal(outbox.Key, presence, random) };
            await SendToMailboxAsync(outbox.Server, outbox.SendId, payload.ToByteArray(), sender, tag: null, RouteOf(contact), GroupFor(outbox.Server, contact));
        }
        catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
        {
            // The contact turned presence off (its mailbox is deleted).
            contact.PresenceOutbox = null;
            file.Save(Data);
        }
        catch (PurrClientException)
        {
            // Presence is best effort: a lost update is replaced by the next one.
        }
    }

    /// <summary>Presence that arrived in a contact's presence mailbox (the gate is held).</summary>
    private async Task<MessengerEvent?> OnPresenceAsync(ContactRecord contact, PresenceSealed sealedPresence)
    {
        if (PresenceSeal.Open(contact.PresenceInboxKey, sealedPresence) is not { } presence)
        {
            return null;
        }

        if (presence.Query)
        {
            var now = time.GetUtcNow();
            if (Data.PresenceEnabled && contact.SharePresence
                && (!presenceAnsweredAt.TryGetValue(contact.Name, out var last) || now - last >= PresenceAnswerInterval))
            {
                presenceAnsweredAt[contact.Name] = now;
                await SendPresenceLockedAsync(contact, CurrentPresence());
            }

            return null;
        }

        if (presenceSeenAt.TryGetValue(contact.Name, out var seen) && presence.SentAtMs <= seen)
        {
            return null;
        }

        presenceSeenAt[contact.Name] = presence.SentAtMs;
        var status = presence.Status is PresenceStatus.Online or PresenceStatus.Away or PresenceStatus.Busy ? presence.Status : PresenceStatus.Offline;
        return new PresenceChanged(contact.Name, status, Clean(presence.Text, PresenceSeal.MaxTextLength));
    }

    /// <summary>A contact's channel arrived in the ratchet: where our presence for it goes.</summary>
    private async Task OnPresenceChannelAsync(ContactRecord contact, PresenceChannel channel)
    {
        contact.PresenceOutbox = new PresenceOutboxData { Server = channel.Mailbox.Server, SendId = channel.Mailbox.SendId.ToByteArray(), Key = channel.Key.ToByteArray() };
        file.Save(Data);
        if (Data.PresenceEnabled)
        {
            // Presence goes both ways: offer ours back, and say where we stand.
            await EnsurePresenceChannelsLockedAsync();
            if (contact.SharePresence)
            {
                await SendPresenceLockedAsync(contact, CurrentPresence());
            }
        }
    }

    private PresencePlaintext CurrentPresence() =>
        new() { Status = Data.Presence, Text = Data.PresenceText, SentAtMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
}
