// This browser as one of a person's devices (PROTOCOL.md 10.10), as the C# Messenger does it: joining a profile through
// a device link and the code both screens show, the sessions with the person's other devices, mirrored texts, contacts
// made on one device reaching the others, the signed lists of own devices (a revocation included).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  DeviceSyncSchema, MailboxAddressSchema, MailboxPayloadSchema, OwnDevicesSchema,
  type ContactRequest, type DeviceSync, type Envelope, type OwnDevices, type RatchetEnvelope, type SyncChunk,
} from "../gen/purr/v1/contacts_pb";
import { signingKeyFromSeed } from "../crypto/sodium";
import { CARD_PREFIX, createCard, parseCard, type Card } from "../e2e/card";
import { DEVICE_LINK_PREFIX, linkCode, MAX_DEVICES, openContactList, openOwnList, signContactList, signOwnList } from "../e2e/device-list";
import { initiateContact, respondToContact } from "../e2e/handshake";
import { open, seal } from "../e2e/session";
import { equalBytes, fromBase64Url, toBase64Url, toHex } from "../protocol/bytes";
import { sameServer } from "../protocol/address";
import { fromPortableJson, toPortableJson } from "./portable";
import { emptyState } from "./device-sessions";
import { appendMessage, MESSAGES_KEPT, remember, type ContactRecord, type MailboxRecord, type OwnDevice, type ProfileData, type RoomRecord } from "./model";
import type { ClientServices } from "./client-services";
import type { ContactsModule } from "./contacts";

const CHUNK_BYTES = 40_000;
const MAX_CHUNKS = 100;
const CARDS_PER_MESSAGE = 16;
const CARD_LIFETIME = 3650 * 86400;
const SESSIONS_PER_DEVICE = 3;

type Json = Record<string, unknown>;

/** A link this browser offers, until a device answers it (then `answered` holds the code to compare). */
export interface PendingLink {
  name: string;
  link: string;
  identitySeed: Uint8Array;
  identityDhSecret: Uint8Array;
  prekeySecret: Uint8Array;
  kemSeed: Uint8Array;
  mailbox: MailboxRecord;
  expiresAt: number;
  answered?: { deviceId: number; code: string };
  /** The answered device gave its cards: it is on every list now. */
  linked?: boolean;
}

const LINK_MINUTES = 10;

export class OwnDevicesModule {
  /** The code to compare while a link waits for the other device's profile; null otherwise. */
  pendingCode: string | null = null;

  /** Set by the client: joins the linking device's rooms (after the work that took the profile, each as a member of this browser's own). */
  joinRooms?: (rooms: { link: string; displayName: string }[]) => void;

  constructor(private readonly client: ClientServices, private readonly contacts: ContactsModule) {}

  private get data(): ProfileData {
    return this.client.data;
  }

  /** The inbox the person's other devices send to, if this browser is one of several devices. */
  get inbox(): MailboxRecord | undefined {
    return this.data.devicesInbox;
  }

  /** Joins the profile whose device link this is: starts the session with that device and returns the code to compare. */
  join(linkText: string, deviceName: string): Promise<string> {
    return this.client.serialized(async () => {
      const trimmed = linkText.trim();
      if (!trimmed.startsWith(DEVICE_LINK_PREFIX)) throw new Error("this is not a device link (it starts with purr:link/); run 'purr devices link' on your other device");
      if (this.data.contacts.length > 0 || this.data.rooms.length > 0 || (this.data.ownDevices ?? []).length > 0) throw new Error("only a new, empty profile can join another device's profile");
      const card = parseCard(CARD_PREFIX + trimmed.slice(DEVICE_LINK_PREFIX.length), this.client.now());
      this.ensureDeviceId();
      this.data.deviceName = deviceName.trim() || card.body.displayName || "browser";
      const inbox = (this.data.devicesInbox ??= await this.client.createMailbox());
      const intro = this.envelope({
        case: "contactIntro",
        value: { $typeName: "purr.v1.ContactIntro", replyTo: create(MailboxAddressSchema, { server: this.data.server, sendId: inbox.sendId }), senderKey: new Uint8Array(0), displayName: this.data.deviceName },
      });
      const initiated = initiateContact(card, intro, this.client.random);
      this.data.ownDevices = [{
        deviceId: 0, name: "", sessions: [{ state: initiated.state, ad: initiated.ad }], sendId: new Uint8Array(0), confirmed: false, seen: [], card: new Uint8Array(0),
      }];
      const code = linkCode(card.body.identityKey, signingKeyFromSeed(initiated.identitySeed).publicKey);
      await this.client.save();
      await this.client.subscribe(inbox);
      const anyone = signingKeyFromSeed(this.client.random.bytes(32));
      await this.client.send(card.body.mailbox!.sendId, toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } })),
        anyone, undefined, sameOrOther(card.body.mailbox!.server, this.data.server));
      this.pendingCode = code;
      return code;
    });
  }

  /** The link offered from this browser (one at a time), while it waits, is answered, and until the device is linked. */
  offered: PendingLink | null = null;

  /** Offers a one-time link for a new device called `name` (PROTOCOL.md 10.10, "Linking"). */
  offerLink(name: string): Promise<PendingLink> {
    return this.client.serialized(async () => {
      const trimmed = name.trim();
      if (trimmed.length === 0 || trimmed.length > 40) throw new Error("name the new device (1 to 40 characters), e.g. laptop");
      const devices = this.data.ownDevices ?? [];
      if (devices.length + 1 >= MAX_DEVICES) throw new Error(`this profile has ${devices.length + 1} devices, the most it may have; remove one first`);
      if (devices.some(d => d.name === trimmed) || this.data.deviceName === trimmed) throw new Error(`a device is already called ${trimmed}`);
      await this.ensureReady();
      if (this.offered) await this.client.deleteMailbox(this.offered.mailbox);
      const mailbox = await this.client.createMailbox();
      const random = this.client.random;
      const secrets = { identitySeed: random.bytes(32), identityDhSecret: random.bytes(32), prekeySecret: random.bytes(32), kemSeed: random.bytes(64) };
      const expiresAt = this.client.now() + LINK_MINUTES * 60;
      const card = createCard(secrets, create(MailboxAddressSchema, { server: this.data.server, sendId: mailbox.sendId }), trimmed, expiresAt);
      this.offered = { name: trimmed, link: DEVICE_LINK_PREFIX + toBase64Url(card.signedBytes), ...secrets, mailbox, expiresAt };
      await this.client.subscribe(mailbox);
      return this.offered;
    });
  }

  /** Whether a stored message's mailbox is the offered link's. */
  isLinkMailbox(mailbox: MailboxRecord): boolean {
    return this.offered?.mailbox === mailbox;
  }

  /** The new device answered the link: the session stands; the person compares the codes before anything is sent. */
  async onLinkAnswer(payload: Uint8Array): Promise<void> {
    const link = this.offered;
    let parsed;
    try {
      parsed = fromBinary(MailboxPayloadSchema, payload);
    } catch {
      return;
    }
    if (!link || link.answered || link.expiresAt <= this.client.now() || parsed.kind.case !== "contactRequest") return;
    const responded = respondToContact(parsed.kind.value, link, this.client.random);
    const intro = responded?.intro.body.case === "contactIntro" ? responded.intro.body.value : null;
    const deviceId = responded?.intro.deviceId ?? 0;
    const devices = (this.data.ownDevices ??= []);
    if (!responded || intro?.replyTo?.sendId.length !== 16 || deviceId === 0 || deviceId === this.data.deviceId || devices.some(d => d.deviceId === deviceId)) return;
    devices.push({
      deviceId, name: link.name, sessions: [{ state: responded.state, ad: responded.ad }], sendId: intro.replyTo.sendId,
      ...(sameOrOther(intro.replyTo.server, this.data.server) ? { server: intro.replyTo.server } : {}), confirmed: false, seen: [], card: new Uint8Array(0),
    });
    link.answered = { deviceId, code: linkCode(signingKeyFromSeed(link.identitySeed).publicKey, responded.peerIdentity) };
    await this.client.save();
    await this.client.deleteMailbox(link.mailbox);
    this.client.emit({ kind: "changed" });
  }

  /** The codes matched: the new device gets the profile (contacts, room links, settings, and each chat's newest messages). */
  confirmLink(): Promise<void> {
    return this.client.serialized(async () => {
      const answered = this.offered?.answered;
      const device = answered ? (this.data.ownDevices ?? []).find(d => d.deviceId === answered.deviceId && !d.confirmed) : undefined;
      if (!device) throw new Error("no device waits for confirmation");
      device.confirmed = true;
      await this.client.save();
      await this.sendChunks(device, new TextEncoder().encode(this.transferJson()), "profile");
    });
  }

  /** The codes differ: that device gets nothing and is forgotten. */
  rejectLink(): Promise<void> {
    return this.client.serialized(async () => {
      const answered = this.offered?.answered;
      if (answered) this.data.ownDevices = (this.data.ownDevices ?? []).filter(d => d.deviceId !== answered.deviceId || d.confirmed);
      this.offered = null;
      await this.client.save();
    });
  }

  /** Removes another device: new lists to the others and to every contact, the new own list as its last message. */
  revoke(deviceId: number): Promise<void> {
    return this.client.serialized(async () => {
      const device = (this.data.ownDevices ?? []).find(d => d.deviceId === deviceId);
      if (!device) throw new Error("no such device");
      this.data.ownDevices = (this.data.ownDevices ?? []).filter(d => d !== device);
      await this.client.save();
      if (this.data.deviceKeySeed && this.data.ownDeviceKeys) {
        const list = await this.publishOwnDevices();
        if (device.confirmed) await this.sendTo(device, create(DeviceSyncSchema, { kind: { case: "ownDevices", value: list } }));
      }
      for (const contact of this.data.contacts.filter(c => c.devices?.mine.some(m => m.deviceId === deviceId))) {
        const devices = contact.devices!;
        devices.mine = devices.mine.filter(m => m.deviceId !== deviceId);
        devices.myListVersion = (BigInt(devices.myListVersion) + 1n).toString();
        await this.publishContactList(contact);
      }
    });
  }

  /** What a profile needs to have devices: an id, the shared device and sender keys, an inbox, a card, a signed list. */
  private async ensureReady(): Promise<void> {
    this.ensureDeviceId();
    this.data.deviceName ||= "browser";
    if (!this.data.deviceKeySeed) {
      this.data.deviceKeySeed = this.client.random.bytes(32);
      this.data.devicesSenderSeed = this.client.random.bytes(32);
    }
    if (!this.data.devicesInbox) {
      const inbox = await this.client.createMailbox();
      await this.client.secureMailbox(inbox, signingKeyFromSeed(this.data.devicesSenderSeed!).publicKey);
      this.data.devicesInbox = inbox;
      await this.client.subscribe(inbox);
    }
    this.data.ownDeviceKeys ??= this.newKeys(this.data.deviceKeySeed, this.data.devicesInbox);
    await this.client.save();
    if (!this.data.ownDevicesList) await this.publishOwnDevices();
  }

  /** Signs the list of own devices (this one and every confirmed one with a card) and sends it to them. */
  private async publishOwnDevices(): Promise<OwnDevices> {
    const version = BigInt(this.data.devicesVersion ?? "0") + 1n;
    const entries = [{ deviceId: this.data.deviceId!, card: this.data.ownDeviceKeys!.card },
      ...(this.data.ownDevices ?? []).filter(d => d.confirmed && d.card.length > 0).map(d => ({ deviceId: d.deviceId, card: d.card }))];
    const list = signOwnList(signingKeyFromSeed(this.data.deviceKeySeed!), version, entries);
    this.data.devicesVersion = version.toString();
    this.data.ownDevicesList = toBinary(OwnDevicesSchema, list);
    await this.client.save();
    await this.sendToAll(create(DeviceSyncSchema, { kind: { case: "ownDevices", value: list } }));
    return list;
  }

  private async publishContactList(contact: ContactRecord): Promise<void> {
    const identity = signingKeyFromSeed(contact.myIdentitySeed);
    const list = signContactList(identity, BigInt(contact.devices!.myListVersion), contact.devices!.mine);
    await this.client.save();
    try {
      await this.contacts.sendControl(contact, { case: "deviceList", value: list });
    } catch {
      // The contact's server is away: its devices keep the old list until the next change.
    }
    await this.sendToAll(create(DeviceSyncSchema, { kind: { case: "contactDevices", value: { $typeName: "purr.v1.ContactDevices", contact: identity.publicKey, list } } }));
  }

  /**
   * The profile for a new device: PROTOCOL.md 9's JSON without this browser's own (sessions, inboxes, keys, cards
   * offered, address, requests), rooms as links, each chat's newest messages, and the shared device keys and list.
   */
  private transferJson(): string {
    const contacts = this.data.contacts.filter(c => c.outbox && c.theirSenderKey).map(c => ({
      ...c, state: emptyState(), ad: new Uint8Array(0), inbox: [], seen: [], presenceInbox: undefined, presenceInboxKey: undefined,
      devices: { peers: [], theirs: c.devices?.theirs ?? [], theirListVersion: c.devices?.theirListVersion ?? "0", mine: c.devices?.mine ?? [], myListVersion: c.devices?.myListVersion ?? "0", offersSeen: [] },
    }));
    const root = JSON.parse(toPortableJson({ ...this.data, invites: [], requests: [], address: undefined, contacts, rooms: [] })) as Json;
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    root.Rooms = this.data.rooms.filter(r => !r.ended).map(r => ({ Name: (r.title || "room").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "").slice(0, 32) || "room", State: { Link: r.link, DisplayName: r.displayName } }));
    root.DeviceId = 0;
    root.DeviceName = "";
    root.DeviceKeySeed = b64(this.data.deviceKeySeed!);
    root.DevicesSenderSeed = b64(this.data.devicesSenderSeed!);
    root.OwnDevicesList = toBase64Url(this.data.ownDevicesList!);
    return JSON.stringify(root);
  }

  /** What came to the inbox for own devices. */
  async handle(payload: Uint8Array): Promise<void> {
    let parsed;
    try {
      parsed = fromBinary(MailboxPayloadSchema, payload);
    } catch {
      return;
    }
    if (parsed.kind.case === "contactRequest") await this.onOffer(parsed.kind.value);
    else if (parsed.kind.case === "ratchet") await this.openFromOwnDevice(parsed.kind.value);
  }

  /** A text sent here appears on the other devices too. */
  async mirrorSent(contact: ContactRecord, envelope: Envelope): Promise<void> {
    if (!(this.data.ownDevices ?? []).some(d => d.confirmed) || envelope.body.case !== "text") return;
    await this.sendToAll(create(DeviceSyncSchema, {
      kind: { case: "sent", value: { $typeName: "purr.v1.SentText", contact: signingKeyFromSeed(contact.myIdentitySeed).publicKey, messageId: envelope.messageId, sentAt: envelope.sentAt, text: envelope.body.value.text, disappearAfter: envelope.disappearAfter } },
    }));
  }

  /** A chat read here is read on the other devices too (their unread counts clear). */
  async mirrorRead(contact: ContactRecord): Promise<void> {
    if (!(this.data.ownDevices ?? []).some(d => d.confirmed)) return;
    await this.client.serialized(() => this.sendToAll(create(DeviceSyncSchema, { kind: { case: "read", value: { $typeName: "purr.v1.ChatRead", contact: signingKeyFromSeed(contact.myIdentitySeed).publicKey } } })));
  }

  /** A chat's timer set here: the other devices follow it. */
  async mirrorTimer(contact: ContactRecord, seconds: number): Promise<void> {
    if (!(this.data.ownDevices ?? []).some(d => d.confirmed)) return;
    await this.sendToAll(create(DeviceSyncSchema, { kind: { case: "timer", value: { $typeName: "purr.v1.ContactTimer", contact: signingKeyFromSeed(contact.myIdentitySeed).publicKey, seconds } } }));
  }

  /** A contact made here goes to the other devices, which answer with their cards for it. */
  async shareContact(contact: ContactRecord): Promise<void> {
    const devices = (this.data.ownDevices ?? []).filter(d => d.confirmed && d.sessions.length > 0 && d.sendId.length === 16);
    if (devices.length === 0 || !contact.outbox || !contact.theirSenderKey) return;
    const stripped: ContactRecord = {
      ...contact, state: emptyState(), ad: new Uint8Array(0), inbox: [], seen: [], messages: [], presenceInbox: undefined, presenceInboxKey: undefined,
      devices: { peers: [], theirs: contact.devices?.theirs ?? [], theirListVersion: contact.devices?.theirListVersion ?? "0", mine: contact.devices?.mine ?? [], myListVersion: contact.devices?.myListVersion ?? "0", offersSeen: [] },
    };
    const json = new TextEncoder().encode(toPortableJson({ version: 1, server: this.data.server, displayName: this.data.displayName, invites: [], contacts: [stripped], usedCards: [], rooms: [] }));
    for (const device of devices) await this.sendChunks(device, json, "contacts");
  }

  private async openFromOwnDevice(sealed: RatchetEnvelope): Promise<void> {
    for (const device of this.data.ownDevices ?? []) {
      for (let i = 0; i < device.sessions.length; i++) {
        const session = device.sessions[i];
        const [status, envelope] = open(session.state, session.ad, sealed, this.client.random);
        if (status === "duplicate") return;
        if (status !== "ok" || !envelope) continue;
        device.sessions.splice(i, 1);
        device.sessions.unshift(session);
        const id = toHex(envelope.messageId);
        if (device.seen.includes(id) || envelope.body.case !== "deviceSync") return;
        remember(device.seen, id);
        if (device.deviceId === 0 && envelope.deviceId !== 0 && !(this.data.ownDevices ?? []).some(d => d.deviceId === envelope.deviceId)) device.deviceId = envelope.deviceId;
        await this.onSync(device, envelope.body.value);
        return;
      }
    }
  }

  private async onSync(device: OwnDevice, sync: DeviceSync): Promise<void> {
    const kind = sync.kind;
    switch (kind.case) {
      case "profile": {
        if (device.confirmed || this.data.contacts.length > 0) return;
        const whole = this.takeChunk(kind.value);
        if (whole) await this.applyLinkedProfile(device, whole);
        return;
      }
      case "contacts": {
        if (!device.confirmed || !this.data.ownDeviceKeys) return;
        const whole = this.takeChunk(kind.value);
        if (whole) await this.applySharedContacts(device, whole);
        return;
      }
      case "cards":
        if (device.confirmed) await this.onCards(device, kind.value.cards);
        return;
      case "sent": {
        const contact = device.confirmed ? this.contactByMyIdentity(kind.value.contact) : undefined;
        if (!contact || kind.value.messageId.length !== 16) return;
        const expiresAt = kind.value.disappearAfter > 0 ? this.client.now() + kind.value.disappearAfter : 0;
        appendMessage(contact.messages, { id: toHex(kind.value.messageId), mine: true, text: kind.value.text, sentAt: Number(kind.value.sentAt), ...(expiresAt ? { expiresAt } : {}) });
        return;
      }
      case "ownDevices":
        if (device.confirmed) await this.onOwnDevices(kind.value);
        return;
      case "read": {
        const contact = device.confirmed ? this.contactByMyIdentity(kind.value.contact) : undefined;
        if (contact) contact.unread = 0;
        return;
      }
      case "timer": {
        const contact = device.confirmed ? this.contactByMyIdentity(kind.value.contact) : undefined;
        if (contact) this.contacts.adoptTimer(contact, kind.value.seconds);
        return;
      }
      case "contactDevices": {
        const contact = device.confirmed ? this.contactByMyIdentity(kind.value.contact) : undefined;
        const opened = contact && kind.value.list ? openContactList(kind.value.list, kind.value.contact, this.client.now()) : null;
        if (!contact?.devices || !opened || opened.version <= BigInt(contact.devices.myListVersion)) return;
        contact.devices.mine = opened.devices.map(d => ({ deviceId: d.deviceId, card: d.card.signedBytes }));
        contact.devices.myListVersion = opened.version.toString();
        return;
      }
      default:
        return;
    }
  }

  /** Keeps a part; when a transfer is whole, its bytes (a one-part transfer never touches the parts kept for another). */
  private takeChunk(chunk: SyncChunk): Uint8Array | null {
    if (chunk.transfer.length !== 16 || chunk.count === 0 || chunk.count > MAX_CHUNKS || chunk.index >= chunk.count || chunk.data.length > CHUNK_BYTES) return null;
    if (chunk.count === 1) return chunk.data;
    const transfer = toHex(chunk.transfer);
    const parts = (this.data.syncChunks ?? []).filter(c => c.transfer === transfer && c.index !== chunk.index);
    parts.push({ transfer, index: chunk.index, count: chunk.count, data: chunk.data });
    if (parts.length < chunk.count) {
      this.data.syncChunks = parts;
      return null;
    }
    this.data.syncChunks = [];
    const ordered = parts.sort((a, b) => a.index - b.index);
    const whole = new Uint8Array(ordered.reduce((n, p) => n + p.data.length, 0));
    let offset = 0;
    for (const part of ordered) {
      whole.set(part.data, offset);
      offset += part.data.length;
    }
    return whole;
  }

  /** This browser takes the profile it joined: shared keys, contacts (each with an inbox and keys of its own), history. */
  private async applyLinkedProfile(linker: OwnDevice, bytes: Uint8Array): Promise<void> {
    const json = new TextDecoder().decode(bytes);
    let root: Json;
    let incoming: ProfileData;
    let rooms: { link: string; displayName: string }[];
    try {
      root = JSON.parse(json) as Json;
      [incoming, rooms] = this.readTransfer(json);
    } catch {
      return;
    }
    const deviceKeySeed = base64(root.DeviceKeySeed);
    const sendersSeed = base64(root.DevicesSenderSeed);
    const listBytes = typeof root.OwnDevicesList === "string" ? fromBase64Url(root.OwnDevicesList) : null;
    if (deviceKeySeed?.length !== 32 || sendersSeed?.length !== 32 || !listBytes) return;
    const list = fromBinary(OwnDevicesSchema, listBytes);
    const opened = openOwnList(list, signingKeyFromSeed(deviceKeySeed).publicKey, this.client.now());
    if (!opened || !opened.devices.some(d => d.deviceId === linker.deviceId)) return;

    this.data.displayName = incoming.displayName;
    if (incoming.presence) this.data.presence = incoming.presence;
    if (incoming.roomTagSecret) this.data.roomTagSecret = incoming.roomTagSecret;
    this.data.usedCards = incoming.usedCards;
    this.data.deviceKeySeed = deviceKeySeed;
    this.data.devicesSenderSeed = sendersSeed;
    linker.confirmed = true;
    await this.client.secureMailbox(this.data.devicesInbox!, signingKeyFromSeed(sendersSeed).publicKey);
    this.data.ownDeviceKeys = this.newKeys(deviceKeySeed, this.data.devicesInbox!);
    this.takeOwnList(opened.devices, opened.version, list);
    for (const contact of incoming.contacts) await this.addTransferred(contact);
    this.pendingCode = null;
    await this.client.save();
    for (const contact of this.data.contacts) contact.messages = contact.messages.slice(-MESSAGES_KEPT);
    await this.sendCards(linker, this.data.contacts, true);
    for (const contact of this.data.contacts) await this.contacts.startListedSessions(contact);
    await this.client.save();
    this.joinRooms?.(rooms);
    this.client.emit({ kind: "message", where: "contact", id: "linked", title: `This browser now uses your profile (${this.data.contacts.length} contacts)` });
  }

  /** A room joined (or made) here: the other devices join it too, each as a member of its own. */
  async shareRoom(room: RoomRecord): Promise<void> {
    const devices = (this.data.ownDevices ?? []).filter(d => d.confirmed && d.sessions.length > 0 && d.sendId.length === 16);
    if (devices.length === 0) return;
    const name = (room.title || "room").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "").slice(0, 32) || "room";
    const json = new TextEncoder().encode(JSON.stringify({ Version: 1, Server: this.data.server, Rooms: [{ Name: name, State: { Link: room.link, DisplayName: room.displayName } }] }));
    await this.client.serialized(async () => {
      for (const device of devices) await this.sendChunks(device, json, "contacts");
    });
  }

  /** Contacts (and rooms) another own device made: contacts taken with an inbox and keys of this browser's own, rooms joined. */
  private async applySharedContacts(from: OwnDevice, bytes: Uint8Array): Promise<void> {
    let shared: ProfileData;
    let rooms: { link: string; displayName: string }[];
    try {
      [shared, rooms] = this.readTransfer(new TextDecoder().decode(bytes));
    } catch {
      return;
    }
    if (rooms.length > 0) this.joinRooms?.(rooms);
    const added: ContactRecord[] = [];
    for (const contact of shared.contacts) {
      if (this.contactByMyIdentity(signingKeyFromSeed(contact.myIdentitySeed).publicKey) || !contact.outbox || !contact.theirSenderKey) continue;
      await this.addTransferred(contact);
      added.push(contact);
      this.client.emit({ kind: "message", where: "contact", id: contact.id, title: `${contact.displayName} is now a contact` });
    }
    await this.sendCards(from, added, false);
    for (const contact of added) await this.contacts.startListedSessions(contact);
  }

  /** A transfer's profile, and its rooms as links and names only (each device joins as a member of its own), not as states to read. */
  private readTransfer(json: string): [ProfileData, { link: string; displayName: string }[]] {
    const root = JSON.parse(json) as Json;
    const rooms = (Array.isArray(root.Rooms) ? root.Rooms : []).map(r => (r as Json)?.State as Json)
      .filter(state => state && typeof state.Link === "string" && typeof state.DisplayName === "string")
      .map(state => ({ link: state.Link as string, displayName: state.DisplayName as string }));
    return [fromPortableJson(JSON.stringify({ ...root, Rooms: [] }), this.data.server), rooms];
  }

  private async addTransferred(contact: ContactRecord): Promise<void> {
    const inbox = await this.client.createMailbox();
    if (contact.theirSenderKey) await this.client.secureMailbox(inbox, contact.theirSenderKey);
    contact.inbox = [inbox];
    contact.established = true;
    contact.state = emptyState();
    contact.ad = new Uint8Array(0);
    const devices = (contact.devices ??= { peers: [], theirs: [], theirListVersion: "0", mine: [], myListVersion: "0", offersSeen: [] });
    devices.myKeys = this.newKeys(contact.myIdentitySeed, inbox);
    this.data.contacts.push(contact);
    await this.client.save();
    await this.client.subscribe(inbox);
  }

  /** An own device's cards: each joins the list its contact gets (this device's own entry first), and the lists go out. */
  private async onCards(device: OwnDevice, cards: { contact: Uint8Array; card: Uint8Array }[]): Promise<void> {
    const changed: ContactRecord[] = [];
    let ownCard = false;
    for (const entry of cards) {
      let card: Card;
      try {
        card = parseCard(CARD_PREFIX + toBase64Url(entry.card), this.client.now());
      } catch {
        continue;
      }
      if (entry.contact.length === 0) {
        if (this.data.deviceKeySeed && equalBytes(card.body.identityKey, signingKeyFromSeed(this.data.deviceKeySeed).publicKey)) {
          device.card = card.signedBytes;
          device.sendId = card.body.mailbox!.sendId;
          ownCard = true;
        }
        continue;
      }
      const contact = this.contactByMyIdentity(entry.contact);
      if (!contact || !equalBytes(card.body.identityKey, entry.contact)) continue;
      await this.contacts.deviceKeysFor(contact);
      const devices = contact.devices!;
      if (!devices.mine.some(m => m.deviceId === this.data.deviceId)) devices.mine.push({ deviceId: this.data.deviceId!, card: devices.myKeys!.card });
      devices.mine = devices.mine.filter(m => m.deviceId !== device.deviceId);
      devices.mine.push({ deviceId: device.deviceId, card: card.signedBytes });
      devices.myListVersion = (BigInt(devices.myListVersion) + 1n).toString();
      changed.push(contact);
    }
    await this.client.save();
    if (ownCard) await this.publishOwnDevices();
    for (const contact of changed) await this.publishContactList(contact);
    if (ownCard && this.offered?.answered?.deviceId === device.deviceId) {
      this.offered.linked = true;
      this.client.emit({ kind: "changed" });
    }
  }

  /** A newer list of own devices: those gone from it are forgotten (this browser too, if it was revoked). */
  private async onOwnDevices(list: OwnDevices): Promise<void> {
    const opened = this.data.deviceKeySeed ? openOwnList(list, signingKeyFromSeed(this.data.deviceKeySeed).publicKey, this.client.now()) : null;
    if (!opened || opened.version <= BigInt(this.data.devicesVersion ?? "0")) return;
    if (!opened.devices.some(d => d.deviceId === this.data.deviceId)) {
      this.data.ownDevices = [];
      this.data.devicesVersion = opened.version.toString();
      this.client.emit({ kind: "problem", text: "This browser was removed from your devices on another device: it no longer receives as this profile." });
      return;
    }
    this.takeOwnList(opened.devices, opened.version, list);
    for (const device of (this.data.ownDevices ?? []).filter(d => d.sessions.length === 0 && d.deviceId > this.data.deviceId!)) await this.startOwnSession(device);
  }

  private takeOwnList(entries: { deviceId: number; card: Card }[], version: bigint, list: OwnDevices): void {
    const devices = (this.data.ownDevices ?? []).filter(d => !d.confirmed || entries.some(e => e.deviceId === d.deviceId));
    for (const { deviceId, card } of entries.filter(e => e.deviceId !== this.data.deviceId)) {
      let device = devices.find(d => d.deviceId === deviceId);
      if (!device) {
        device = { deviceId, name: "", sessions: [], sendId: new Uint8Array(0), confirmed: true, seen: [], card: new Uint8Array(0) };
        devices.push(device);
      }
      device.name = card.body.displayName;
      device.card = card.signedBytes;
      if (device.sendId.length !== 16) {
        device.sendId = card.body.mailbox!.sendId;
        const server = sameOrOther(card.body.mailbox!.server, this.data.server);
        if (server) device.server = server;
      }
    }
    this.data.ownDevices = devices;
    this.data.devicesVersion = version.toString();
    this.data.ownDevicesList = toBinary(OwnDevicesSchema, list);
  }

  private async startOwnSession(device: OwnDevice): Promise<void> {
    const keys = this.data.ownDeviceKeys;
    if (!keys || !this.data.devicesInbox || !this.data.deviceKeySeed || device.card.length === 0) return;
    const card = parseCard(CARD_PREFIX + toBase64Url(device.card), this.client.now());
    const intro = this.envelope({
      case: "contactIntro",
      value: { $typeName: "purr.v1.ContactIntro", replyTo: create(MailboxAddressSchema, { server: this.data.server, sendId: this.data.devicesInbox.sendId }), senderKey: new Uint8Array(0), displayName: this.data.deviceName ?? "" },
    });
    const initiated = initiateContact(card, intro, this.client.random, { identitySeed: this.data.deviceKeySeed, identityDhSecret: keys.identityDhSecret });
    device.sessions.unshift({ state: initiated.state, ad: initiated.ad });
    device.sendId = card.body.mailbox!.sendId;
    await this.client.save();
    await this.client.send(device.sendId, toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } })),
      signingKeyFromSeed(this.data.devicesSenderSeed!), undefined, device.server);
  }

  /** An own device on the list offers a session, sealed to this browser's card for its own devices. */
  private async onOffer(request: ContactRequest): Promise<void> {
    const keys = this.data.ownDeviceKeys;
    if (!keys || !this.data.deviceKeySeed) return;
    const responded = respondToContact(request, { identitySeed: this.data.deviceKeySeed, ...keys }, this.client.random);
    const device = responded ? (this.data.ownDevices ?? []).find(d => d.deviceId === responded.intro.deviceId && d.confirmed && d.card.length > 0) : undefined;
    const intro = responded?.intro.body.case === "contactIntro" ? responded.intro.body.value : null;
    if (!responded || !device || !equalBytes(responded.peerIdentity, signingKeyFromSeed(this.data.deviceKeySeed).publicKey)
      || !equalBytes(parseCard(CARD_PREFIX + toBase64Url(device.card), 0).body.identityDhKey, responded.peerIdentityDh) || intro?.replyTo?.sendId.length !== 16) return;
    device.sessions.unshift({ state: responded.state, ad: responded.ad });
    device.sessions.splice(SESSIONS_PER_DEVICE);
    device.sendId = intro.replyTo.sendId;
  }

  private async sendCards(to: OwnDevice, contacts: ContactRecord[], withOwnCard: boolean): Promise<void> {
    const cards = contacts.filter(c => c.devices?.myKeys).map(c => ({ $typeName: "purr.v1.ContactCard" as const, contact: signingKeyFromSeed(c.myIdentitySeed).publicKey, card: c.devices!.myKeys!.card }));
    if (withOwnCard) cards.unshift({ $typeName: "purr.v1.ContactCard", contact: new Uint8Array(0), card: this.data.ownDeviceKeys!.card });
    for (let i = 0; i < cards.length; i += CARDS_PER_MESSAGE) {
      await this.sendTo(to, create(DeviceSyncSchema, { kind: { case: "cards", value: { $typeName: "purr.v1.DeviceCards", cards: cards.slice(i, i + CARDS_PER_MESSAGE) } } }));
    }
  }

  private async sendChunks(device: OwnDevice, bytes: Uint8Array, kind: "contacts" | "profile"): Promise<void> {
    const count = Math.ceil(bytes.length / CHUNK_BYTES);
    if (count > MAX_CHUNKS) return;
    const transfer = this.client.random.bytes(16);
    for (let index = 0; index < count; index++) {
      const data = bytes.slice(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
      await this.sendTo(device, create(DeviceSyncSchema, { kind: { case: kind, value: { $typeName: "purr.v1.SyncChunk", transfer, index, count, data } } }));
    }
  }

  private async sendToAll(sync: DeviceSync): Promise<void> {
    for (const device of (this.data.ownDevices ?? []).filter(d => d.confirmed)) await this.sendTo(device, sync);
  }

  private async sendTo(device: OwnDevice, sync: DeviceSync): Promise<void> {
    if (device.sessions.length === 0 || device.sendId.length !== 16 || !this.data.devicesSenderSeed) return;
    const envelope = this.envelope({ case: "deviceSync", value: sync });
    const payload = create(MailboxPayloadSchema, { kind: { case: "ratchet", value: seal(device.sessions[0].state, device.sessions[0].ad, envelope, this.client.random) } });
    await this.client.save();
    try {
      await this.client.send(device.sendId, toBinary(MailboxPayloadSchema, payload), signingKeyFromSeed(this.data.devicesSenderSeed), undefined, device.server);
    } catch {
      // That device's server is away: it gets the next change.
    }
  }

  private newKeys(identitySeed: Uint8Array, inbox: MailboxRecord) {
    const random = this.client.random;
    const keys = { identityDhSecret: random.bytes(32), prekeySecret: random.bytes(32), kemSeed: random.bytes(64) };
    const card = createCard({ identitySeed, ...keys }, create(MailboxAddressSchema, { server: inbox.server ?? this.data.server, sendId: inbox.sendId }),
      this.data.deviceName ?? "browser", this.client.now() + CARD_LIFETIME);
    return { ...keys, card: card.signedBytes };
  }

  private contactByMyIdentity(key: Uint8Array): ContactRecord | undefined {
    return this.data.contacts.find(c => equalBytes(signingKeyFromSeed(c.myIdentitySeed).publicKey, key));
  }

  private ensureDeviceId(): void {
    while (!this.data.deviceId) this.data.deviceId = new DataView(this.client.random.bytes(4).buffer).getUint32(0, false);
  }

  private envelope(body: Envelope["body"]): Envelope {
    return this.contacts.newEnvelope(body);
  }
}

function base64(value: unknown): Uint8Array | null {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  try {
    return Uint8Array.from(atob(value), c => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** `server` when it is another than the page's own (reached through it), else undefined. */
function sameOrOther(server: string, own: string): string | undefined {
  return sameServer(server, own) ? undefined : server;
}
