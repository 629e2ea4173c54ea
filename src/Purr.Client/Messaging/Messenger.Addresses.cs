using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Handles;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Contact addresses (PROTOCOL.md 10.8): a reusable link that takes many requests. A request is the requester's own
/// card sealed to the address, with a name and a note; accepting it is accepting that card, so each contact still
/// gets a fresh identity and fresh mailboxes on both sides, exactly as with cards.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>How long a request's card waits for the owner to decide.</summary>
    public static readonly TimeSpan RequestValidity = TimeSpan.FromDays(30);

    /// <summary>Makes this profile's contact address; with <paramref name="replace"/> the old one is revoked first.</summary>
    public async Task<ContactAddress> CreateAddressAsync(string displayName, bool autoAccept = false, string? server = null, bool replace = false)
    {
        await gate.WaitAsync();
        try
        {
            string? handle = null;
            if (Data.Address is { } old)
            {
                if (!replace)
                {
                    throw new MessengerException("this profile has a contact address already; 'purr address show' prints it, 'purr address replace' makes a new one");
                }

                // The handle moves to the new address: released under the old key, registered under the new one.
                handle = old.Handle;
                await RevokeAddressLockedAsync(old);
            }

            var mailbox = await CreateMailboxAsync(server ?? Data.Server, senderKey: null);
            var addressSeed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
            var requestSecret = KeyMaterial.Draw(random, X25519.KeyBytes);
            var requestKemSeed = KeyMaterial.Draw(random, MlKem768.SeedBytes);
            using var addressKey = Ed25519KeyPair.FromSeed(addressSeed);
            using var requestKey = X25519KeyPair.FromSecret(requestSecret);
            var address = ContactAddress.Create(
                addressKey, requestKey, new MailboxAddress { Server = mailbox.Server, SendId = ByteString.CopyFrom(mailbox.SendId) }, displayName, requestKemSeed);
            Data.Address = new AddressRecord
            {
                Link = address.Link,
                AddressKeySeed = addressSeed,
                RequestKeySecret = requestSecret,
                RequestKemSeed = requestKemSeed,
                Mailbox = mailbox,
                DisplayName = displayName,
                AutoAccept = autoAccept,
            };
            file.Save(Data);
            if (handle is not null)
            {
                await (await ConnectAsync(mailbox.Server, group: GroupOf(mailbox))).RegisterHandleAsync(handle, address.Link, addressKey);
                Data.Address.Handle = handle;
                file.Save(Data);
            }

            return address;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Revokes the address: its mailbox is deleted on the server, so later requests are refused there (AUTH) and
    /// nothing more arrives. Requests already received stay to be accepted or rejected.
    /// </summary>
    public async Task RevokeAddressAsync()
    {
        await gate.WaitAsync();
        try
        {
            var address = Data.Address ?? throw new MessengerException("this profile has no contact address");
            await RevokeAddressLockedAsync(address);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task SetAutoAcceptAsync(bool autoAccept)
    {
        await gate.WaitAsync();
        try
        {
            (Data.Address ?? throw new MessengerException("this profile has no contact address; 'purr address create' makes one")).AutoAccept = autoAccept;
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Asks for contact through someone's address: a fresh card (identity and mailbox, like 'invite') travels sealed to
    /// the address, with <paramref name="displayName"/> and an optional note. The contact appears as
    /// <paramref name="name"/> once the owner accepts.
    /// </summary>
    /// <param name="addressText">A purr:address/ link, or a handle (name@host[:port]) that resolves to one.</param>
    public async Task<InviteRecord> RequestContactAsync(string addressText, string name, string displayName, string message = "", string? server = null)
    {
        if (HandleName.TryParse(addressText, out var handle))
        {
            addressText = (await ResolveHandleAsync(handle)).AddressLink;
        }

        var address = ContactAddress.Parse(addressText);
        if (message.Length > AddressRequests.MaxMessageLength)
        {
            throw new MessengerException($"the note is at most {AddressRequests.MaxMessageLength} characters");
        }

        await gate.WaitAsync();
        try
        {
            if (Data.Address?.Link is { } own && ContactAddress.Parse(own).Body.AddressKey.Equals(address.Body.AddressKey))
            {
                throw new MessengerException("this is your own contact address");
            }

            var (card, invite) = await InviteLockedAsync(name, displayName, RequestValidity, server);
            invite.Requested = true;
            file.Save(Data);
            var tag = AddressRequests.BlockTag(TagSecretLocked(), address.Body.AddressKey.Span);
            var request = AddressRequests.Seal(address, new AddressRequestBody
            {
                Card = ByteString.CopyFrom(card.SignedBytes),
                DisplayName = displayName,
                Message = message,
                Tag = ByteString.CopyFrom(tag),
            }, random);
            try
            {
                await SendToMailboxAsync(
                    address.Body.Mailbox.Server, address.Body.Mailbox.SendId.ToByteArray(), new MailboxPayload { AddressRequest = request }.ToByteArray(), null, tag, RouteChoice.Auto);
            }
            catch (PurrClientException e)
            {
                // Nothing of a refused request stays: no invite waiting forever, the name free for a new try.
                Data.Invites.Remove(invite);
                file.Save(Data);
                await DeleteMailboxQuietlyAsync(invite.Mailbox);
                throw e switch
                {
                    PurrProtocolException { Code: ErrorCode.Auth } => new MessengerException("this contact address was revoked or never existed; ask its owner for a current one (nothing was saved)"),
                    PurrProtocolException { Code: ErrorCode.QuotaExceeded } => new MessengerException("the address's owner has too many requests waiting; try again later (nothing was saved)"),
                    _ => new MessengerException($"the request could not be sent ({e.Message}); nothing was saved, try again"),
                };
            }

            return invite;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Accepts a waiting request: the requester's card is accepted as <paramref name="name"/>.</summary>
    public async Task<ContactRecord> AcceptRequestAsync(string id, string name, string? server = null)
    {
        await gate.WaitAsync();
        try
        {
            var request = FindRequest(id);
            ContactRecord contact;
            try
            {
                contact = await AcceptLockedAsync(request.CardLink, name, Data.Address?.DisplayName ?? Data.DisplayName, server);
            }
            catch (CardException e) when (e.Problem == CardProblem.AlreadyUsed)
            {
                // The requester's mailbox is gone (they cancelled the request), or this card was accepted before: there is
                // nothing left to accept. Any other failure leaves the request waiting, to be accepted again.
                Data.Requests.Remove(request);
                file.Save(Data);
                throw new MessengerException($"{request.DisplayName} cancelled this request (or it was accepted before); it is gone now");
            }

            Data.Requests.Remove(request);
            file.Save(Data);
            return contact;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Forgets a waiting request. The requester is not told (as with an unanswered card). With <paramref name="block"/> the
    /// address's server also drops that requester's further requests, knowing only a keyed hash of its block tag.
    /// </summary>
    public async Task RejectRequestAsync(string id, bool block = false)
    {
        await gate.WaitAsync();
        try
        {
            var request = FindRequest(id);
            if (block)
            {
                var address = Data.Address ?? throw new MessengerException("this profile has no contact address any more: there is nothing to block on");
                if (request.Tag.Length != 32)
                {
                    throw new MessengerException("this request came without a block tag (an older client); it can be rejected, not blocked");
                }

                using var key = Ed25519KeyPair.FromSeed(address.Mailbox.RecipientKeySeed);
                await (await ConnectAsync(address.Mailbox.Server, group: GroupOf(address.Mailbox))).BlockSendersAsync(address.Mailbox.ReceiveId, key, [request.Tag]);
            }

            Data.Requests.Remove(request);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Empties the address's block list: everyone blocked may ask again.</summary>
    public async Task UnblockAllAsync()
    {
        await gate.WaitAsync();
        try
        {
            var address = Data.Address ?? throw new MessengerException("this profile has no contact address");
            using var key = Ed25519KeyPair.FromSeed(address.Mailbox.RecipientKeySeed);
            await (await ConnectAsync(address.Mailbox.Server, group: GroupOf(address.Mailbox))).BlockSendersAsync(address.Mailbox.ReceiveId, key, [], clear: true);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A request arrived in the address's mailbox (the gate is held): kept, or accepted at once with auto-accept.</summary>
    private async Task<MessengerEvent?> ReceiveRequestAsync(AddressRecord address, AddressRequest sealedRequest)
    {
        using var addressKey = Ed25519KeyPair.FromSeed(address.AddressKeySeed);
        using var requestKey = X25519KeyPair.FromSecret(address.RequestKeySecret);
        var kemSeed = address.RequestKemSeed.Length == 0 ? null : address.RequestKemSeed;
        if (AddressRequests.Open(sealedRequest, requestKey, addressKey.PublicKey, kemSeed) is not { } body)
        {
            return null;
        }

        Card card;
        try
        {
            card = Card.Parse(Card.LinkPrefix + Base64Url.Encode(body.Card.ToByteArray()), time.GetUtcNow());
        }
        catch (CardException)
        {
            return null;
        }

        var cardId = Convert.ToHexStringLower(card.Id);
        if (Data.UsedCards.Contains(cardId) || Data.Requests.Any(r => r.CardLink == card.Link))
        {
            return null;
        }

        var displayName = Clean(card.Body.DisplayName.Length > 0 ? card.Body.DisplayName : body.DisplayName, 64);
        var message = Clean(body.Message, AddressRequests.MaxMessageLength);
        var id = Convert.ToHexStringLower(KeyMaterial.Draw(random, 4));
        if (address.AutoAccept)
        {
            try
            {
                var contact = await AcceptLockedAsync(card.Link, FreeContactName(displayName), address.DisplayName, server: null);
                return new ContactRequestReceived(contact.Name, id, displayName, message);
            }
            catch (PurrClientException)
            {
                // The requester's card could not be answered now (its server away): the request waits for the owner.
            }
        }

        Data.Requests.Add(new ContactRequestRecord
        {
            Id = id, CardLink = card.Link, DisplayName = displayName, Message = message, ReceivedAt = time.GetUtcNow(),
            Tag = body.Tag.Length == 32 ? body.Tag.ToByteArray() : [],
        });
        file.Save(Data);
        return new ContactRequestReceived("", id, displayName, message);
    }

    private async Task RevokeAddressLockedAsync(AddressRecord address)
    {
        await ReleaseHandleLockedAsync(address);
        await DeleteMailboxQuietlyAsync(address.Mailbox);
        Data.Address = null;
        file.Save(Data);
    }

    private ContactRequestRecord FindRequest(string id) =>
        Data.Requests.FirstOrDefault(r => string.Equals(r.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new MessengerException($"no waiting request '{id}'; 'purr requests' lists them");

    /// <summary>A contact name from a requester's display name, unique in this profile.</summary>
    public string FreeContactName(string displayName)
    {
        var wanted = new string([.. displayName.Where(char.IsLetterOrDigit).Take(32)]).ToLowerInvariant();
        wanted = wanted.Length > 0 ? wanted : "contact";
        var name = wanted;
        for (var i = 2; Data.Contacts.Any(c => c.Name == name) || Data.Invites.Any(v => v.Name == name); i++)
        {
            name = $"{wanted}{i}";
        }

        return name;
    }

    /// <summary>Text from a stranger, made safe to print: no control characters, bounded length.</summary>
    private static string Clean(string text, int max) => new([.. text.Where(c => !char.IsControl(c)).Take(max)]);
}
