// One-to-one contacts over cards, X3DH and the Double Ratchet: the C# Messenger's behaviour
// (PROTOCOL.md 10.1-10.5) for a client that reaches only the server its page came from.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { parseRoute, routeName } from "./routes";
import { describeTimer, expiryOf, normalizeTimer } from "./disappearing";
import {
  EnvelopeSchema, MailboxAddressSchema, MailboxPayloadSchema,
  type ContactRequest, type Envelope, type MailboxPayload, type RatchetEnvelope,
} from "../gen/purr/v1/contacts_pb";
import { signingKeyFromSeed } from "../crypto/sodium";
import { createCard, CardError, generateCardSecrets, parseCard } from "../e2e/card";
import { blockTag, createAddress, MAX_REQUEST_MESSAGE, openAddressRequest, parseContactAddress, sealAddressRequest } from "../e2e/address";
import { PurrError } from "../net/connection";
import { handleSigner } from "./handles";
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { initiateContact, respondToContact } from "../e2e/handshake";
import { seal } from "../e2e/session";
import { safetyCode } from "../e2e/safety-code";
import { sameServer } from "../protocol/address";
import { toBase64Url, toHex } from "../protocol/bytes";
import { appendMessage, cleanText as clean, remember, type ContactRecord, type InviteRecord } from "./model";
import type { ClientServices } from "./client-services";
import { DeviceSessions, sendTargets } from "./device-sessions";

const DAY = 86400;

export class ContactsModule {
  /** Set by the own-devices module: a text sent here goes to the person's other devices; a new contact too. */
  onSent?: (contact: ContactRecord, envelope: Envelope) => Promise<void>;
  onEstablished?: (contact: ContactRecord) => Promise<void>;
  onTimerSet?: (contact: ContactRecord, seconds: number) => Promise<void>;
  onRead?: (contact: ContactRecord) => Promise<void>;

  /** Set by the presence module: a contact told us its presence channel. */
  onPresenceChannel?: (contact: ContactRecord, sendId: Uint8Array, key: Uint8Array, server: string) => Promise<void>;

  private readonly devices: DeviceSessions;

  constructor(private readonly client: ClientServices) {
    this.devices = new DeviceSessions(client, body => this.envelope(body));
  }

  private get data() {
    return this.client.data;
  }

  find(id: string): ContactRecord | undefined {
    return this.data.contacts.find(c => c.id === id);
  }

  /** A card for one new contact: a fresh identity, fresh X3DH keys and a fresh mailbox to answer to. */
  invite(label: string, validDays = 7): Promise<InviteRecord> {
    return this.client.serialized(() => this.makeInvite(label, validDays));
  }

  private async makeInvite(label: string, validDays: number): Promise<InviteRecord> {
    const mailbox = await this.client.createMailbox();
    const secrets = generateCardSecrets(this.client.random);
    const expiresAt = this.client.now() + validDays * DAY;
    const card = createCard(secrets, create(MailboxAddressSchema, { server: this.data.server, sendId: mailbox.sendId }), this.data.displayName, expiresAt);
    const invite: InviteRecord = {
      id: toHex(this.client.random.bytes(8)), label, cardLink: card.link, displayName: this.data.displayName,
      identitySeed: secrets.identitySeed, identityDhSecret: secrets.identityDhSecret, prekeySecret: secrets.prekeySecret,
      kemSeed: secrets.kemSeed ?? null, mailbox, expiresAt,
    };
    this.data.invites.push(invite);
    await this.client.save();
    await this.client.subscribe(mailbox);
    return invite;
  }

  /** Makes this profile's contact address (revoking the old one when replacing). */
  createAddress(autoAccept = false): Promise<string> {
    return this.client.serialized(async () => {
      // A handle moves to the new address: released under the old key, registered under the new one.
      const handle = this.data.address?.handle;
      if (this.data.address) await this.revokeLocked();
      const mailbox = await this.client.createMailbox();
      const addressKeySeed = this.client.random.bytes(32);
      const requestKeySecret = this.client.random.bytes(32);
      const requestKemSeed = this.client.random.bytes(64);
      const address = createAddress(addressKeySeed, requestKeySecret, create(MailboxAddressSchema, { server: this.data.server, sendId: mailbox.sendId }), this.data.displayName, requestKemSeed);
      this.data.address = { link: address.link, addressKeySeed, requestKeySecret, requestKemSeed, mailbox, autoAccept };
      await this.client.save();
      await this.client.subscribe(mailbox);
      if (handle) {
        await this.client.request({ case: "registerHandle", value: { name: handle, addressLink: address.link } }, handleSigner(addressKeySeed));
        this.data.address.handle = handle;
        await this.client.save();
      }
      return address.link;
    });
  }

  /** Deletes the address's mailbox: the server refuses requests through it from now on. Waiting requests stay. */
  revokeAddress(): Promise<void> {
    return this.client.serialized(() => this.revokeLocked());
  }

  private async revokeLocked(): Promise<void> {
    const address = this.data.address;
    if (!address) return;
    if (address.handle) {
      try {
        await this.client.request({ case: "releaseHandle", value: { name: address.handle } }, handleSigner(address.addressKeySeed));
      } catch {
        // Already gone on the server.
      }
    }
    this.data.address = undefined;
    await this.client.save();
    await this.client.deleteMailbox(address.mailbox);
  }

  async setAutoAccept(on: boolean): Promise<void> {
    if (!this.data.address) return;
    this.data.address.autoAccept = on;
    await this.client.save();
  }

  /** Asks for contact through someone's address: a fresh card sealed to it, with an optional note; an invite waits for the answer. */
  requestContact(link: string, message = ""): Promise<InviteRecord> {
    return this.client.serialized(async () => {
      const address = parseContactAddress(link);
      if (message.length > MAX_REQUEST_MESSAGE) throw new Error(`the note is at most ${MAX_REQUEST_MESSAGE} characters`);
      if (this.data.address && equalLinks(this.data.address.link, address.link)) throw new Error("this is your own contact address");
      const invite = await this.makeInvite(address.body.displayName || "contact", 30);
      invite.requested = true;
      await this.client.save();
      const card = parseCard(invite.cardLink, this.client.now());
      if (this.data.roomTagSecret?.length !== 32) this.data.roomTagSecret = this.client.random.bytes(32);
      const tag = blockTag(this.data.roomTagSecret, address.body.addressKey);
      const request = sealAddressRequest(address, { $typeName: "purr.v1.AddressRequestBody", card: card.signedBytes, displayName: this.data.displayName, message, tag }, this.client.random);
      try {
        await this.client.send(address.body.mailbox!.sendId, toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "addressRequest", value: request } })), undefined, tag, address.body.mailbox!.server);
      } catch (e) {
        // Nothing of a refused request stays.
        this.data.invites.splice(this.data.invites.indexOf(invite), 1);
        await this.client.save();
        await this.client.deleteMailbox(invite.mailbox);
        if (e instanceof PurrError && e.code === ErrorCode.AUTH) throw new Error("this contact address was revoked or never existed; ask its owner for a current one");
        throw e;
      }
      return invite;
    });
  }

  /** Accepts a waiting request: the requester's card is accepted, as if it had come out of band. */
  acceptRequest(id: string): Promise<ContactRecord> {
    return this.client.serialized(async () => {
      const request = (this.data.requests ?? []).find(r => r.id === id);
      if (!request) throw new Error("that request is no longer waiting");
      let contact: ContactRecord;
      try {
        contact = await this.acceptCard(request.cardLink);
      } catch (e) {
        // The requester's mailbox is gone (they cancelled the request): there is nothing to accept any more. Any other
        // failure leaves the request waiting, to be accepted again.
        if (e instanceof PurrError && e.code === ErrorCode.AUTH) {
          this.data.requests = (this.data.requests ?? []).filter(r => r !== request);
          await this.client.save();
          throw new Error(`${request.displayName} cancelled this request`);
        }
        throw e;
      }
      this.data.requests = (this.data.requests ?? []).filter(r => r !== request);
      await this.client.save();
      return contact;
    });
  }

  /** Forgets a request; with block the address's server drops that requester's further requests (it keeps a keyed hash of the tag). */
  rejectRequest(id: string, block = false): Promise<void> {
    return this.client.serialized(async () => {
      const request = (this.data.requests ?? []).find(r => r.id === id);
      if (block && request && this.data.address) {
        if (request.tag?.length !== 32) throw new Error("this request came without a block tag (an older client); it can be rejected, not blocked");
        await this.client.blockSenders(this.data.address.mailbox, [request.tag], false);
      }
      this.data.requests = (this.data.requests ?? []).filter(r => r.id !== id);
      await this.client.save();
    });
  }

  /** Empties the address's block list. */
  unblockAll(): Promise<void> {
    return this.client.serialized(async () => {
      if (this.data.address) await this.client.blockSenders(this.data.address.mailbox, [], true);
    });
  }

  /** A request arrived in the address's mailbox: kept for the person, or accepted at once with auto-accept. */
  async handleAddressRequest(payload: Uint8Array): Promise<void> {
    const address = this.data.address;
    const parsed = parsePayload(payload);
    if (!address || parsed?.kind.case !== "addressRequest") return;
    const body = openAddressRequest(parsed.kind.value, address.requestKeySecret, signingKeyFromSeed(address.addressKeySeed).publicKey, address.requestKemSeed ?? null);
    if (!body) return;
    let card;
    try {
      card = parseCard(CARD_LINK_PREFIX + toBase64Url(body.card), this.client.now());
    } catch {
      return;
    }
    const requests = (this.data.requests ??= []);
    if (this.data.usedCards.includes(toHex(card.id)) || requests.some(r => r.cardLink === card.link)) return;
    const displayName = clean(card.body.displayName || body.displayName, 64) || "someone";
    const message = clean(body.message, MAX_REQUEST_MESSAGE);
    if (address.autoAccept) {
      try {
        const contact = await this.acceptCard(card.link);
        this.client.emit({ kind: "message", where: "contact", id: contact.id, title: `${displayName} asked for contact and was accepted` });
        return;
      } catch {
        // Keep it for the person instead.
      }
    }
    requests.push({ id: toHex(this.client.random.bytes(4)), cardLink: card.link, displayName, message, receivedAt: this.client.now(), tag: body.tag.length === 32 ? body.tag : undefined });
    await this.client.save();
    this.client.emit({ kind: "message", where: "contact", id: "request", title: `Contact request from ${displayName}` });
  }

  cancelInvite(id: string): Promise<void> {
    return this.client.serialized(async () => {
      const invite = this.data.invites.find(i => i.id === id);
      if (!invite) return;
      this.data.invites.splice(this.data.invites.indexOf(invite), 1);
      await this.client.save();
      await this.client.deleteMailbox(invite.mailbox);
    });
  }

  /** Accepts a card: a new identity for this contact, an inbox for its answers, and the contact request. */
  accept(link: string): Promise<ContactRecord> {
    return this.client.serialized(() => this.acceptCard(link));
  }

  private async acceptCard(link: string): Promise<ContactRecord> {
    const card = parseCard(link, this.client.now());
    const cardId = toHex(card.id);
    if (this.data.usedCards.includes(cardId)) throw new CardError("alreadyUsed", "this card was already accepted; a card works once");
    const inbox = await this.client.createMailbox();
    const senderKeySeed = this.client.random.bytes(32);
    const sender = signingKeyFromSeed(senderKeySeed);
    const intro = this.envelope({
      case: "contactIntro",
      value: { $typeName: "purr.v1.ContactIntro", replyTo: create(MailboxAddressSchema, { server: this.data.server, sendId: inbox.sendId }), senderKey: sender.publicKey, displayName: this.data.displayName },
    });
    const initiated = initiateContact(card, intro, this.client.random);
    const contact: ContactRecord = {
      id: toHex(this.client.random.bytes(8)), displayName: card.body.displayName || "contact",
      myIdentitySeed: initiated.identitySeed, theirIdentityKey: card.body.identityKey, state: initiated.state, ad: initiated.ad,
      inbox: [inbox], outbox: { sendId: card.body.mailbox!.sendId, senderKeySeed, ...elsewhere(card.body.mailbox!.server, this.data.server) }, theirSenderKey: null,
      established: false, verified: false, seen: [], messages: [], unread: 0,
    };
    this.data.contacts.push(contact);
    this.data.usedCards.push(cardId);
    await this.client.save();
    try {
      await this.client.subscribe(inbox);
      await this.sendPayload(contact, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } }));
    } catch (e) {
      // Nothing of a contact whose request was not sent stays, so the card can be accepted again (it was saved first so
      // that a crash after the send cannot lose the session the request started).
      this.data.contacts.splice(this.data.contacts.indexOf(contact), 1);
      this.data.usedCards.splice(this.data.usedCards.indexOf(cardId), 1);
      await this.client.save();
      await this.client.deleteMailbox(inbox).catch(() => undefined);
      throw e;
    }
    return contact;
  }

  sendText(contactId: string, text: string): Promise<void> {
    return this.client.serialized(async () => {
      const contact = this.require(contactId);
      const envelope = this.envelope({ case: "text", value: { $typeName: "purr.v1.Text", text } });
      envelope.disappearAfter = contact.disappearAfter ?? 0;
      const expiresAt = expiryOf(this.client.now(), envelope.disappearAfter);
      appendMessage(contact.messages, { id: toHex(envelope.messageId), mine: true, text, sentAt: Number(envelope.sentAt), ...(expiresAt ? { expiresAt } : {}) });
      await this.sendEnvelope(contact, envelope);
      await this.onSent?.(contact, envelope);
    });
  }

  /** Tells the contact, deletes this side's mailboxes for it and forgets it. */
  remove(contactId: string): Promise<void> {
    return this.client.serialized(async () => {
      const contact = this.require(contactId);
      if (contact.outbox) {
        try {
          await this.sendEnvelope(contact, this.envelope({ case: "contactDeleted", value: { $typeName: "purr.v1.ContactDeleted" } }));
        } catch {
          // Forget it anyway.
        }
      }
      await this.forget(contact);
    });
  }

  safetyCodeFor(contact: ContactRecord): string {
    return safetyCode(signingKeyFromSeed(contact.myIdentitySeed).publicKey, contact.theirIdentityKey);
  }

  /** "via-home", "hops:N" or "through:ADDR,…" (app/routes.ts); takes effect from the next message. */
  async setRoute(contactId: string, route: string): Promise<void> {
    const contact = this.require(contactId);
    const choice = parseRoute(route);
    if (choice.kind !== "via-home") contact.route = routeName(choice);
    else delete contact.route;
    await this.client.save();
  }

  /** Sets the chat's disappearing-message timer (0 off) and tells the contact, whose client adopts it too. */
  setDisappearing(contactId: string, seconds: number): Promise<void> {
    return this.client.serialized(async () => {
      const contact = this.require(contactId);
      const normalized = normalizeTimer(seconds);
      await this.sendEnvelope(contact, this.envelope({ case: "disappearingTimer", value: { $typeName: "purr.v1.DisappearingTimer", seconds: normalized } }));
      if (normalized === 0) delete contact.disappearAfter;
      else contact.disappearAfter = normalized;
      this.timerNotice(contact, normalized === 0 ? "You turned disappearing messages off" : `You set disappearing messages to ${describeTimer(normalized)}`);
      await this.client.save();
      await this.onTimerSet?.(contact, normalized);
    });
  }

  /** Another of this person's devices set the chat's timer: this one follows (the contact was told there). */
  adoptTimer(contact: ContactRecord, seconds: number): void {
    const normalized = normalizeTimer(seconds);
    if (normalized === 0) delete contact.disappearAfter;
    else contact.disappearAfter = normalized;
    this.timerNotice(contact, normalized === 0 ? "You turned disappearing messages off (on another device)" : `You set disappearing messages to ${describeTimer(normalized)} (on another device)`);
  }

  private timerNotice(contact: ContactRecord, text: string): void {
    appendMessage(contact.messages, { id: "timer-" + toHex(this.client.random.bytes(8)), mine: false, text, sentAt: this.client.now(), notice: true });
  }

  async markVerified(contactId: string, verified: boolean): Promise<void> {
    this.require(contactId).verified = verified;
    await this.client.save();
  }

  async markRead(contactId: string): Promise<void> {
    const contact = this.find(contactId);
    if (contact && contact.unread > 0) {
      contact.unread = 0;
      await this.client.save();
      await this.onRead?.(contact);
    }
  }

  /** The card's creator receives the contact request: the contact is made and answered. */
  async handleInviteAnswer(invite: InviteRecord, payload: Uint8Array): Promise<void> {
    const parsed = parsePayload(payload);
    if (parsed?.kind.case !== "contactRequest" || invite.expiresAt <= this.client.now()) return;
    const request: ContactRequest = parsed.kind.value;
    const responded = respondToContact(request, invite, this.client.random);
    const intro = responded?.intro.body.case === "contactIntro" ? responded.intro.body.value : null;
    if (!responded || !intro?.replyTo || intro.senderKey.length !== 32) return;
    const senderKeySeed = this.client.random.bytes(32);
    const contact: ContactRecord = {
      id: invite.id, displayName: intro.displayName || invite.label || "contact",
      myIdentitySeed: invite.identitySeed, theirIdentityKey: responded.peerIdentity, state: responded.state, ad: responded.ad,
      inbox: [invite.mailbox], outbox: { sendId: intro.replyTo.sendId, senderKeySeed, ...elsewhere(intro.replyTo.server, this.data.server) }, theirSenderKey: intro.senderKey,
      established: true, verified: false, seen: [], messages: [], unread: 0,
    };
    this.data.invites.splice(this.data.invites.indexOf(invite), 1);
    this.data.contacts.push(contact);
    remember(contact.seen, toHex(responded.intro.messageId));
    appendMessage(contact.messages, { id: "joined-" + contact.id, mine: false, text: `${contact.displayName} accepted your invite`, sentAt: this.client.now(), notice: true });
    await this.client.save();
    // Only the contact's sender key may send here from now on: the card is spent.
    await this.client.secureMailbox(invite.mailbox, intro.senderKey);
    const sender = signingKeyFromSeed(senderKeySeed);
    await this.sendEnvelope(contact, this.envelope({ case: "contactAccepted", value: { $typeName: "purr.v1.ContactAccepted", senderKey: sender.publicKey, displayName: invite.displayName } }));
    await this.onEstablished?.(contact);
    this.client.emit({ kind: "message", where: "contact", id: contact.id, title: `${contact.displayName} is now a contact` });
  }

  async handleMessage(contact: ContactRecord, payload: Uint8Array): Promise<void> {
    const parsed = parsePayload(payload);
    if (parsed?.kind.case === "contactRequest") {
      // Another device of the contact starts a session with this one (PROTOCOL.md 10.10).
      const peer = this.devices.onOffer(contact, parsed.kind.value);
      if (peer) {
        await this.client.save();
        await this.devices.sendListTo(contact, peer);
      }
      return;
    }
    if (parsed?.kind.case !== "ratchet") return;
    const sealedMessage: RatchetEnvelope = parsed.kind.value;
    const [status, envelope, openedBy] = this.devices.open(contact, sealedMessage);
    if (status === "duplicate") return;
    if (status !== "ok" || !envelope) {
      appendMessage(contact.messages, { id: "bad-" + toHex(this.client.random.bytes(8)), mine: false, text: "A message could not be decrypted and was dropped.", sentAt: this.client.now(), notice: true });
      return;
    }
    const id = toHex(envelope.messageId);
    if (contact.seen.includes(id)) return;
    remember(contact.seen, id);
    const peer = this.devices.learnDeviceId(contact, openedBy, envelope.deviceId);
    const body = envelope.body;
    switch (body.case) {
      case "deviceList": {
        const count = await this.devices.onDeviceList(contact, envelope.deviceId, body.value);
        if (count !== null) {
          appendMessage(contact.messages, { id: "devices-" + id, mine: false, text: `${contact.displayName} now uses ${count} device${count === 1 ? "" : "s"}`, sentAt: this.client.now(), notice: true });
        }
        break;
      }
      case "text": {
        const expiresAt = expiryOf(this.client.now(), envelope.disappearAfter);
        appendMessage(contact.messages, { id, mine: false, text: body.value.text, sentAt: Number(envelope.sentAt), sender: contact.displayName, ...(expiresAt ? { expiresAt } : {}) });
        contact.unread++;
        await this.sendEnvelope(contact, this.envelope({ case: "receipt", value: { $typeName: "purr.v1.Receipt", messageIds: [envelope.messageId] } }));
        this.client.emit({ kind: "message", where: "contact", id: contact.id, title: `New message from ${contact.displayName}` });
        break;
      }
      case "receipt":
        for (const messageId of body.value.messageIds) {
          const mine = contact.messages.find(m => m.mine && m.id === toHex(messageId));
          if (mine) mine.delivered = true;
        }
        break;
      case "contactAccepted":
        if (body.value.senderKey.length !== 32) break;
        contact.theirSenderKey = body.value.senderKey;
        contact.displayName = body.value.displayName || contact.displayName;
        contact.established = true;
        appendMessage(contact.messages, { id: "joined-" + contact.id, mine: false, text: `${contact.displayName} is now a contact`, sentAt: this.client.now(), notice: true });
        await this.client.save();
        for (const mailbox of contact.inbox) await this.client.secureMailbox(mailbox, body.value.senderKey);
        await this.onEstablished?.(contact);
        this.client.emit({ kind: "message", where: "contact", id: contact.id, title: `${contact.displayName} is now a contact` });
        break;
      case "disappearingTimer": {
        // The chat's setting, for this side's sends too: both sides honour the last one either side set.
        const seconds = normalizeTimer(body.value.seconds);
        if (seconds === 0) delete contact.disappearAfter;
        else contact.disappearAfter = seconds;
        this.timerNotice(contact, `${contact.displayName} ${seconds === 0 ? "turned disappearing messages off" : `set disappearing messages to ${describeTimer(seconds)}`}`);
        break;
      }
      case "profileUpdate":
        contact.displayName = body.value.displayName;
        break;
      case "mailboxMove":
        if (body.value.mailbox && body.value.mailbox.sendId.length === 16 && contact.outbox) {
          if (peer) {
            // One device of the contact moved its inbox for this profile: only sends to that device change.
            peer.sendId = body.value.mailbox.sendId;
            if (sameServer(body.value.mailbox.server, this.data.server)) delete peer.server;
            else peer.server = body.value.mailbox.server;
          } else {
            contact.outbox = { sendId: body.value.mailbox.sendId, senderKeySeed: contact.outbox.senderKeySeed, ...elsewhere(body.value.mailbox.server, this.data.server) };
          }
          await this.sendEnvelope(contact, this.envelope({ case: "mailboxMoveAck", value: { $typeName: "purr.v1.MailboxMoveAck", mailbox: body.value.mailbox } }));
        }
        break;
      case "presenceChannel":
        if (body.value.mailbox?.sendId.length === 16 && body.value.key.length === 32) await this.onPresenceChannel?.(contact, body.value.mailbox.sendId, body.value.key, body.value.mailbox.server);
        break;
      case "contactDeleted":
        appendMessage(contact.messages, { id: "deleted-" + id, mine: false, text: `${contact.displayName} removed you as a contact.`, sentAt: this.client.now(), notice: true });
        contact.outbox = null;
        break;
      default:
        break;
    }
  }

  private async forget(contact: ContactRecord): Promise<void> {
    this.data.contacts.splice(this.data.contacts.indexOf(contact), 1);
    await this.client.save();
    for (const mailbox of contact.inbox) await this.client.deleteMailbox(mailbox);
    if (contact.presenceInbox) await this.client.deleteMailbox(contact.presenceInbox);
  }

  /** A control envelope through the ratchet (a presence channel). */
  sendControl(contact: ContactRecord, body: Envelope["body"]): Promise<void> {
    return this.sendEnvelope(contact, this.envelope(body));
  }

  /**
   * Seals once for every device of the contact with a session (PROTOCOL.md 10.10) and sends each to its inbox; the
   * advanced ratchets are saved first, so a crash can never reuse a message key. Fails only when no device was reached.
   */
  private async sendEnvelope(contact: ContactRecord, envelope: Envelope): Promise<void> {
    if (!contact.outbox) throw new Error(`${contact.displayName} can no longer be reached`);
    const targets = sendTargets(contact);
    if (targets.length === 0) throw new Error(`no session with any device of ${contact.displayName} yet; one starts when a device of theirs answers`);
    const sealed = targets.map(t => ({ ...t, payload: create(MailboxPayloadSchema, { kind: { case: "ratchet", value: seal(t.state, t.ad, envelope, this.client.random) } }) }));
    await this.client.save();
    let failure: unknown = null;
    let sent = 0;
    const sender = signingKeyFromSeed(contact.outbox.senderKeySeed);
    for (const target of sealed) {
      try {
        await this.client.send(target.sendId, toBinary(MailboxPayloadSchema, target.payload), sender, undefined, target.server, contact.route);
        sent++;
      } catch (e) {
        failure ??= e;
      }
    }
    if (sent === 0 && failure) throw failure;
  }

  private async sendPayload(contact: ContactRecord, payload: MailboxPayload): Promise<void> {
    await this.client.send(contact.outbox!.sendId, toBinary(MailboxPayloadSchema, payload), signingKeyFromSeed(contact.outbox!.senderKeySeed), undefined, contact.outbox!.server, contact.route);
  }

  /** Sessions with every device on the contact's last list (a device that just joined starts them). */
  startListedSessions(contact: ContactRecord): Promise<void> {
    return this.devices.startListedSessions(contact);
  }

  /** This device's keys and card for the contact's devices (made on first need). */
  deviceKeysFor(contact: ContactRecord): Promise<unknown> {
    return this.devices.myKeysFor(contact);
  }

  newEnvelope(body: Envelope["body"]): Envelope {
    return this.envelope(body);
  }

  private envelope(body: Envelope["body"]): Envelope {
    // kemHeaders: this client reads post-quantum ratchet headers, so a classic session with it upgrades.
    // deviceId: this device among the profile's devices (PROTOCOL.md 10.10); 0 until it needs one.
    return create(EnvelopeSchema, { messageId: this.client.random.bytes(16), sentAt: BigInt(this.client.now()), kemHeaders: true, deviceId: this.data.deviceId ?? 0, body });
  }

  private require(id: string): ContactRecord {
    const contact = this.find(id);
    if (!contact) throw new Error("no such contact");
    return contact;
  }
}

function parsePayload(payload: Uint8Array): MailboxPayload | null {
  try {
    return fromBinary(MailboxPayloadSchema, payload);
  } catch {
    return null;
  }
}

const CARD_LINK_PREFIX = "purr:card/";

const equalLinks = (a: string, b: string) => a.trim() === b.trim();

/** `{ server }` for a mailbox on another server than the page's own (sent to through it, PROTOCOL.md 15), else nothing. */
function elsewhere(server: string, own: string): { server?: string } {
  return sameServer(server, own) ? {} : { server };
}
