using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

public sealed partial class Messenger
{
    /// <summary>
    /// Makes a card for one new contact, with a fresh identity and a fresh mailbox to answer to. A post-quantum card
    /// (the default) carries an ML-KEM-768 prekey; a classic one is 1.6 KB shorter (a QR code that fits 80 columns)
    /// and its session becomes post-quantum in the ratchet after the first exchange.
    /// </summary>
    public async Task<Card> InviteAsync(string name, string displayName, TimeSpan validFor, string? server = null, bool postQuantum = true)
    {
        await gate.WaitAsync();
        try
        {
            return (await InviteLockedAsync(name, displayName, validFor, server, postQuantum)).Card;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Makes and saves a card; the caller holds the gate.</summary>
    private async Task<(Card Card, InviteRecord Invite)> InviteLockedAsync(
        string name, string displayName, TimeSpan validFor, string? server, bool postQuantum = true)
    {
        if (Data.Contacts.Any(c => c.Name == name) || Data.Invites.Any(i => i.Name == name))
        {
            throw new MessengerException($"the name '{name}' is already in use in this profile");
        }

        var mailbox = await CreateMailboxAsync(server ?? Data.Server, senderKey: null);
        var identitySeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
        var identityDh = KeyMaterial.Draw(random, X25519.KeyBytes);
        var prekey = KeyMaterial.Draw(random, X25519.KeyBytes);
        var kemSeed = postQuantum ? KeyMaterial.Draw(random, MlKem768.SeedBytes) : [];
        using var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(identitySeed), X25519KeyPair.FromSecret(identityDh), X25519KeyPair.FromSecret(prekey),
            postQuantum ? kemSeed.ToArray() : null);
        var expiresAt = time.GetUtcNow() + validFor;
        var card = Card.Create(secrets, new MailboxAddress { Server = mailbox.Server, SendId = ByteString.CopyFrom(mailbox.SendId) }, displayName, expiresAt);
        var invite = new InviteRecord
        {
            Name = name,
            CardLink = card.Link,
            DisplayName = displayName,
            IdentitySeed = identitySeed,
            IdentityDhSecret = identityDh,
            PrekeySecret = prekey,
            KemSeed = kemSeed,
            Mailbox = mailbox,
            ExpiresAt = expiresAt,
        };
        Data.Invites.Add(invite);
        file.Save(Data);
        return (card, invite);
    }

    /// <summary>
    /// Cancels a card not yet answered, or a request sent through someone's address and not yet accepted: its mailbox is
    /// deleted, so an accept that comes later is refused by the server (the acceptor's client says the card was cancelled
    /// and saves nothing), and the name is free again.
    /// </summary>
    public async Task<InviteRecord> CancelInviteAsync(string name)
    {
        await gate.WaitAsync();
        try
        {
            var invite = Data.Invites.FirstOrDefault(i => i.Name == name)
                ?? throw new MessengerException(Data.Contacts.Any(c => c.Name == name)
                    ? $"'{name}' already accepted; 'purr remove {name}' removes the contact"
                    : $"no card or request named '{name}' is waiting; 'purr contacts' lists them");
            Data.Invites.Remove(invite);
            file.Save(Data);
            await DeleteMailboxQuietlyAsync(invite.Mailbox);
            return invite;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Accepts a card: a new identity for this contact, a mailbox for its answers, and the contact request.</summary>
    public async Task<ContactRecord> AcceptAsync(string cardText, string name, string displayName, string? server = null)
    {
        await gate.WaitAsync();
        try
        {
            return await AcceptLockedAsync(cardText, name, displayName, server);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Accepts a card; the caller holds the gate.</summary>
    private async Task<ContactRecord> AcceptLockedAsync(string cardText, string name, string displayName, string? server)
    {
        var card = Card.Parse(cardText, time.GetUtcNow());
        var cardId = Convert.ToHexStringLower(card.Id);
        if (Data.UsedCards.Contains(cardId))
        {
            throw new CardException(CardProblem.AlreadyUsed, "this card was already accepted; a card works once");
        }

        if (Data.Contacts.Any(c => c.Name == name) || Data.Invites.Any(i => i.Name == name))
        {
            throw new MessengerException($"the name '{name}' is already in use in this profile");
        }

        var inbox = await CreateMailboxAsync(server ?? Data.Server, senderKey: null);
        var senderSeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
        using var sender = Ed25519KeyPair.FromSeed(senderSeed);
        var intro = NewEnvelope();
        intro.ContactIntro = new ContactIntro
        {
            ReplyTo = new MailboxAddress { Server = inbox.Server, SendId = ByteString.CopyFrom(inbox.SendId) },
            SenderKey = ByteString.CopyFrom(sender.PublicKey),
            DisplayName = displayName,
        };
        var initiated = ContactHandshake.Initiate(card, intro, random);
        var identitySeed = new byte[Ed25519.SeedBytes];
        initiated.Identity.CopySeed(identitySeed);
        var contact = new ContactRecord
        {
            Name = name,
            DisplayName = card.Body.DisplayName,
            MyIdentitySeed = identitySeed,
            TheirIdentityKey = card.Body.IdentityKey.ToByteArray(),
            Session = initiated.Session.State,
            AssociatedData = initiated.Session.AssociatedData,
            Inbox = [inbox],
            Outbox = new OutboxData { Server = card.Body.Mailbox.Server, SendId = card.Body.Mailbox.SendId.ToByteArray(), SenderKeySeed = senderSeed },
        };
        Data.Contacts.Add(contact);
        Data.UsedCards.Add(cardId);
        file.Save(Data);
        initiated.Identity.Dispose();
        initiated.IdentityDh.Dispose();

        try
        {
            await SendPayloadAsync(contact, new MailboxPayload { ContactRequest = initiated.Request });
        }
        catch (PurrClientException e)
        {
            // Nothing of a refused accept stays: no contact stuck at "waiting", the name free for a new try.
            Data.Contacts.Remove(contact);
            Data.UsedCards.Remove(cardId);
            file.Save(Data);
            await DeleteMailboxQuietlyAsync(inbox);
            throw e is PurrProtocolException { Code: ErrorCode.Auth }
                ? new CardException(CardProblem.AlreadyUsed, "this card was already used or cancelled; ask for a new one (nothing was saved)")
                : new MessengerException($"the contact request could not be sent ({e.Message}); nothing was saved, try again");
        }

        return contact;
    }

    /// <summary>The card's creator receives the contact request: the contact is established and answered.</summary>
    private async Task<MessengerEvent?> CompleteInviteAsync(InviteRecord invite, ContactRequest request)
    {
        if (invite.ExpiresAt <= time.GetUtcNow())
        {
            return null;
        }

        using var secrets = new CardSecrets(
            Ed25519KeyPair.FromSeed(invite.IdentitySeed), X25519KeyPair.FromSecret(invite.IdentityDhSecret), X25519KeyPair.FromSecret(invite.PrekeySecret),
            invite.KemSeed.Length == 0 ? null : invite.KemSeed.ToArray());
        var responded = ContactHandshake.Respond(request, secrets, random);
        var intro = responded?.Intro.ContactIntro;
        if (responded is null || intro?.ReplyTo is null || intro.SenderKey.Length != Ed25519.PublicKeyBytes)
        {
            return null;
        }

        var senderSeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
        var contact = new ContactRecord
        {
            Name = invite.Name,
            DisplayName = intro.DisplayName,
            MyIdentitySeed = invite.IdentitySeed,
            TheirIdentityKey = responded.PeerIdentity,
            Session = responded.Session.State,
            AssociatedData = responded.Session.AssociatedData,
            Inbox = [invite.Mailbox],
            Outbox = new OutboxData { Server = intro.ReplyTo.Server, SendId = intro.ReplyTo.SendId.ToByteArray(), SenderKeySeed = senderSeed },
            TheirSenderKey = intro.SenderKey.ToByteArray(),
        };
        Data.Invites.Remove(invite);
        Data.Contacts.Add(contact);
        Remember(contact.SeenMessageIds, Convert.ToHexStringLower(responded.Intro.MessageId.Span));
        file.Save(Data);

        // Only the contact's sender key may send here from now on: the card is spent.
        await SecureAsync(invite.Mailbox, contact.TheirSenderKey);
        using var sender = Ed25519KeyPair.FromSeed(senderSeed);
        var accepted = NewEnvelope();
        accepted.ContactAccepted = new ContactAccepted { SenderKey = ByteString.CopyFrom(sender.PublicKey), DisplayName = invite.DisplayName };
        await SendEnvelopeAsync(contact, accepted);
        await ShareContactAsync(contact);
        return new ContactEstablished(contact.Name, contact.DisplayName);
    }

    private async Task SecureAsync(MailboxRecordData mailbox, byte[] senderKey)
    {
        using var key = Ed25519KeyPair.FromSeed(mailbox.RecipientKeySeed);
        var connection = await ConnectAsync(mailbox.Server, group: GroupOf(mailbox));
        await connection.SecureMailboxAsync(mailbox.ReceiveId, key, senderKey);
    }
}
