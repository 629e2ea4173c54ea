// Sessions with every device of a contact (PROTOCOL.md 10.10), after Signal's Sesame, as the C# Messenger keeps them:
// one session per pair of devices, started with PQXDH against the device's card from the contact's signed device list;
// a message is sealed once per device; several sessions with one device (two that started at once) are kept, the one
// that last opened a message sends.
import { create, toBinary } from "@bufbuild/protobuf";
import { MailboxAddressSchema, MailboxPayloadSchema, type ContactRequest, type DeviceList, type Envelope, type RatchetEnvelope } from "../gen/purr/v1/contacts_pb";
import { signingKeyFromSeed } from "../crypto/sodium";
import type { DecryptStatus, RatchetState } from "../crypto/ratchet";
import { createCard, CARD_PREFIX, parseCard, type Card } from "../e2e/card";
import { openContactList, signContactList } from "../e2e/device-list";
import { initiateContact, respondToContact } from "../e2e/handshake";
import { open, seal } from "../e2e/session";
import { equalBytes, toBase64Url, toHex } from "../protocol/bytes";
import { remember, type ContactDevices, type ContactRecord, type PeerDevice } from "./model";
import type { ClientServices } from "./client-services";

const SESSIONS_PER_DEVICE = 3;
/** A device card lives as long as the device (its prekeys are signed prekeys). */
const CARD_LIFETIME = 3650 * 86400;

/** A session nobody holds: the contact record's own once its sessions moved to its devices. */
export function emptyState(): RatchetState {
  const none = new Uint8Array(0);
  return {
    rootKey: none, dhSendSecret: none, dhSendPublic: none, dhReceive: null, chainSend: null, chainReceive: null, headerSend: null, headerReceive: null,
    nextHeaderSend: none, nextHeaderReceive: none, sendCount: 0, receiveCount: 0, previousSendCount: 0, skipped: [], retiredHeaderKeys: [],
    kemEnabled: false, postQuantum: false, kemSendSeed: null, kemSendPublic: null, kemCiphertext: null,
  };
}

/** The contact's devices as records, its first session moved among them (from the first list or offer on). */
export function devicesOf(contact: ContactRecord): ContactDevices {
  const devices = (contact.devices ??= { peers: [], theirs: [], theirListVersion: "0", mine: [], myListVersion: "0", offersSeen: [] });
  if (contact.state.rootKey.length > 0) {
    devices.peers.unshift({
      deviceId: 0, sessions: [{ state: contact.state, ad: contact.ad }],
      sendId: contact.outbox?.sendId ?? new Uint8Array(0), ...(contact.outbox?.server ? { server: contact.outbox.server } : {}), identityDhKey: new Uint8Array(0),
    });
    contact.state = emptyState();
    contact.ad = new Uint8Array(0);
  }
  return devices;
}

/** Where a message to the contact goes: each device with a session (only the first session, before any device list). */
export function sendTargets(contact: ContactRecord): { sendId: Uint8Array; server?: string; state: RatchetState; ad: Uint8Array }[] {
  if (!contact.devices) {
    return contact.outbox && contact.state.rootKey.length > 0
      ? [{ sendId: contact.outbox.sendId, ...(contact.outbox.server ? { server: contact.outbox.server } : {}), state: contact.state, ad: contact.ad }]
      : [];
  }
  return contact.devices.peers
    .filter(p => p.sessions.length > 0 && p.sendId.length === 16)
    .map(p => ({ sendId: p.sendId, ...(p.server ? { server: p.server } : {}), state: p.sessions[0].state, ad: p.sessions[0].ad }));
}

export class DeviceSessions {
  constructor(private readonly client: ClientServices, private readonly envelope: (body: Envelope["body"]) => Envelope) {}

  /** Opens with the session that can: the first one, or any device's (the one that opens moves to the front). */
  open(contact: ContactRecord, sealed: RatchetEnvelope): [DecryptStatus, Envelope | null, PeerDevice | null] {
    if (!contact.devices) {
      const [status, envelope] = open(contact.state, contact.ad, sealed, this.client.random);
      return [status, envelope, null];
    }
    let duplicate = false;
    for (const peer of contact.devices.peers) {
      for (let i = 0; i < peer.sessions.length; i++) {
        const session = peer.sessions[i];
        const [status, envelope] = open(session.state, session.ad, sealed, this.client.random);
        if (status === "ok") {
          peer.sessions.splice(i, 1);
          peer.sessions.unshift(session);
          return [status, envelope, peer];
        }
        duplicate ||= status === "duplicate";
      }
    }
    return [duplicate ? "duplicate" : "failed", null, null];
  }

  /** A message names its device: the first session becomes that device's record; a record without an id learns it. */
  learnDeviceId(contact: ContactRecord, peer: PeerDevice | null, deviceId: number): PeerDevice | null {
    if (deviceId === 0) return peer;
    if (!peer) {
      if (contact.devices || contact.state.rootKey.length === 0) return null;
      peer = devicesOf(contact).peers[0];
    }
    if (peer.deviceId !== 0) return peer;
    const peers = contact.devices!.peers;
    const twin = peers.find(p => p !== peer && p.deviceId === deviceId);
    peer.deviceId = deviceId;
    if (twin) {
      peer.sessions.push(...twin.sessions);
      peer.sessions.splice(SESSIONS_PER_DEVICE);
      if (peer.identityDhKey.length === 0) peer.identityDhKey = twin.identityDhKey;
      peers.splice(peers.indexOf(twin), 1);
    }
    return peer;
  }

  /** The contact's signed device list: sessions with unlisted devices end, listed devices without one get one. Returns the count, or null if refused. */
  async onDeviceList(contact: ContactRecord, fromDeviceId: number, list: DeviceList): Promise<number | null> {
    const opened = openContactList(list, contact.theirIdentityKey, this.client.now());
    if (!opened || fromDeviceId === 0 || !opened.devices.some(d => d.deviceId === fromDeviceId)) return null;
    const devices = devicesOf(contact);
    if (opened.version <= BigInt(devices.theirListVersion)) return opened.devices.length;
    devices.theirListVersion = opened.version.toString();
    devices.theirs = opened.devices.map(d => ({ deviceId: d.deviceId, card: d.card.signedBytes }));
    devices.peers = devices.peers.filter(p => opened.devices.some(d => d.deviceId === p.deviceId));
    for (const peer of devices.peers) peer.identityDhKey = opened.devices.find(d => d.deviceId === peer.deviceId)!.card.body.identityDhKey;
    await this.client.save();
    for (const { deviceId, card } of opened.devices) {
      if (!devices.peers.some(p => p.deviceId === deviceId && p.sessions.length > 0)) await this.startSession(contact, deviceId, card);
    }
    return opened.devices.length;
  }

  /** Starts a session with every device on the contact's last list that has none (a device that just joined does this). */
  async startListedSessions(contact: ContactRecord): Promise<void> {
    for (const { deviceId, card } of [...(contact.devices?.theirs ?? [])]) {
      if (contact.devices!.peers.some(p => p.deviceId === deviceId && p.sessions.length > 0)) continue;
      await this.startSession(contact, deviceId, parseCard(CARD_PREFIX + toBase64Url(card), 0));
    }
  }

  /** Starts a session with one device of the contact (PQXDH to its card) and offers it at that device's inbox. */
  private async startSession(contact: ContactRecord, deviceId: number, card: Card): Promise<void> {
    const keys = await this.myKeysFor(contact);
    const inbox = contact.inbox[0];
    if (!contact.outbox || !inbox) return;
    const sender = signingKeyFromSeed(contact.outbox.senderKeySeed);
    const intro = this.envelope({
      case: "contactIntro",
      value: { $typeName: "purr.v1.ContactIntro", replyTo: create(MailboxAddressSchema, { server: inbox.server ?? this.client.data.server, sendId: inbox.sendId }), senderKey: sender.publicKey, displayName: "" },
    });
    const initiated = initiateContact(card, intro, this.client.random, { identitySeed: contact.myIdentitySeed, identityDhSecret: keys.identityDhSecret });
    const devices = devicesOf(contact);
    let peer = devices.peers.find(p => p.deviceId === deviceId);
    if (!peer) {
      peer = { deviceId, sessions: [], sendId: new Uint8Array(0), identityDhKey: new Uint8Array(0) };
      devices.peers.push(peer);
    }
    const server = card.body.mailbox!.server;
    peer.sendId = card.body.mailbox!.sendId;
    if (server !== this.client.data.server) peer.server = server;
    else delete peer.server;
    peer.identityDhKey = card.body.identityDhKey;
    const session = { state: initiated.state, ad: initiated.ad };
    peer.sessions.unshift(session);
    peer.sessions.splice(SESSIONS_PER_DEVICE);
    await this.client.save();
    try {
      await this.client.send(peer.sendId, toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } })),
        sender, undefined, peer.server, contact.route);
    } catch {
      // Not offered, so the device could never open what this session seals: the next list or offer starts another.
      peer.sessions.splice(peer.sessions.indexOf(session), 1);
      await this.client.save();
      return;
    }
    await this.sendListTo(contact, peer);
  }

  /** A device with a new session gets this profile's current list at once (one published before the session would never reach it). */
  async sendListTo(contact: ContactRecord, peer: PeerDevice): Promise<void> {
    const devices = contact.devices;
    const me = this.client.data.deviceId;
    if (!devices || BigInt(devices.myListVersion) === 0n || !devices.mine.some(m => m.deviceId === me) || peer.sessions.length === 0 || !contact.outbox) return;
    const list = signContactList(signingKeyFromSeed(contact.myIdentitySeed), BigInt(devices.myListVersion), devices.mine);
    const envelope = this.envelope({ case: "deviceList", value: list });
    const payload = create(MailboxPayloadSchema, { kind: { case: "ratchet", value: seal(peer.sessions[0].state, peer.sessions[0].ad, envelope, this.client.random) } });
    await this.client.save();
    try {
      await this.client.send(peer.sendId, toBinary(MailboxPayloadSchema, payload), signingKeyFromSeed(contact.outbox.senderKeySeed), undefined, peer.server, contact.route);
    } catch {
      // It gets the list with the next change.
    }
  }

  /** A device of the contact offers a session (sealed to this device's card). Returns the device's record if it was taken. */
  onOffer(contact: ContactRecord, request: ContactRequest): PeerDevice | null {
    const devices = contact.devices;
    const keys = devices?.myKeys;
    if (!devices || !keys) return null;
    const offer = toHex(request.ephemeralKey);
    if (devices.offersSeen.includes(offer)) return null;
    const responded = respondToContact(request, { identitySeed: contact.myIdentitySeed, identityDhSecret: keys.identityDhSecret, prekeySecret: keys.prekeySecret, kemSeed: keys.kemSeed }, this.client.random);
    const intro = responded?.intro.body.case === "contactIntro" ? responded.intro.body.value : null;
    if (!responded || !equalBytes(responded.peerIdentity, contact.theirIdentityKey) || intro?.replyTo?.sendId.length !== 16) return null;
    const deviceId = responded.intro.deviceId;
    // Once the contact has published a list, only its devices may start sessions (a revoked one holds the identity key too).
    if (BigInt(devicesOf(contact).theirListVersion) > 0n
      && !devices.theirs.some(t => t.deviceId === deviceId && equalBytes(parseCard(CARD_PREFIX + toBase64Url(t.card), 0).body.identityDhKey, responded.peerIdentityDh))) return null;
    remember(devices.offersSeen, offer);
    let peer = deviceId === 0 ? undefined : devices.peers.find(p => p.deviceId === deviceId);
    if (!peer) {
      peer = { deviceId, sessions: [], sendId: new Uint8Array(0), identityDhKey: new Uint8Array(0) };
      devices.peers.push(peer);
    }
    peer.sendId = intro.replyTo.sendId;
    if (intro.replyTo.server !== this.client.data.server) peer.server = intro.replyTo.server;
    else delete peer.server;
    peer.identityDhKey = responded.peerIdentityDh;
    peer.sessions.unshift({ state: responded.state, ad: responded.ad });
    peer.sessions.splice(SESSIONS_PER_DEVICE);
    remember(contact.seen, toHex(responded.intro.messageId));
    return peer;
  }

  /** This device's keys and card for the contact's devices, made on first need. */
  async myKeysFor(contact: ContactRecord): Promise<NonNullable<ContactDevices["myKeys"]>> {
    const devices = devicesOf(contact);
    if (devices.myKeys) return devices.myKeys;
    const data = this.client.data;
    while (!data.deviceId) data.deviceId = new DataView(this.client.random.bytes(4).buffer).getUint32(0, false);
    const random = this.client.random;
    const keys = { identityDhSecret: random.bytes(32), prekeySecret: random.bytes(32), kemSeed: random.bytes(64) };
    const inbox = contact.inbox[0];
    const card = createCard({ identitySeed: contact.myIdentitySeed, ...keys }, create(MailboxAddressSchema, { server: inbox.server ?? data.server, sendId: inbox.sendId }),
      data.deviceName ?? "browser", this.client.now() + CARD_LIFETIME);
    devices.myKeys = { ...keys, card: card.signedBytes };
    await this.client.save();
    return devices.myKeys;
  }
}
