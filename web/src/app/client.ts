// An unlocked profile talking to the page's own server: one connection, every mailbox and room
// subscribed on it, pushes handled one at a time (handled, saved, then acknowledged), and the
// connection re-opened with back-off when it drops. Rooms (and their mailboxes) on other servers are
// reached through relayed connections over it (PROTOCOL.md 15.6): those servers never see this browser.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { RequestSchema, ServerFrameSchema, type ServerFrame } from "../gen/purr/v1/frames_pb";
import { RelayedRequestSchema } from "../gen/purr/v1/federation_pb";
import { newEphemeral, openRelayResponse, sealRelayPacket } from "../protocol/relay-packet";
import { buildOnion, openOnionReply } from "../protocol/onion-packet";
import { fetchCatalog, parseRoute, pickHops } from "./routes";
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { sign, signingKeyFromSeed, verify, type SigningKeyPair } from "../crypto/sodium";
import { systemRandom, type RandomSource } from "../crypto/random";
import { recipientRequest, senderRequest, serverX25519 } from "../protocol/signed-bytes";
import { equalBytes, toHex } from "../protocol/bytes";
import { parseAddress, sameServer } from "../protocol/address";
import { ConnectionClosedError, PurrConnection, PurrError, type RequestOp, type Signer } from "../net/connection";
import { TunnelPipe } from "../net/tunnel";
import { getMailboxKey } from "../net/mailbox-key";
import { CreateMailboxSchema } from "../gen/purr/v1/mailboxes_pb";
import { saveProfileBlob } from "./profile-store";
import { sealProfile, type ProfileKey } from "./profile-file";
import { serializeProfile, unstoredMessages, type ChatMessage, type MailboxRecord, type ProfileData } from "./model";
import { HistoryStore } from "./history-store";
import { historyKey, type HistoryMessage } from "./history-records";
import { toPortableJson } from "./portable";
import { purgeExpired } from "./disappearing";
import { ContactsModule } from "./contacts";
import { RoomsModule } from "./rooms";
import { HandlesModule } from "./handles";
import { PresenceModule } from "./presence";
import { OwnDevicesModule } from "./own-devices";
import type { ClientEvent, ClientServices } from "./client-services";
import { openBroadcast } from "./broadcast";
import { parseInviteLink, policyOf, redeemInvite, takeCredential, TOKEN_BATCH } from "./registration";
import type { Registration, RegistrationPolicy } from "../gen/purr/v1/registration_pb";

export type { ClientEvent } from "./client-services";

export const recipientSigner = (key: SigningKeyPair): Signer => (bytes, nonce) => sign(key, recipientRequest(nonce, bytes));
export const senderSigner = (key: SigningKeyPair): Signer => (bytes, nonce) => sign(key, senderRequest(nonce, bytes));

export class PurrClient implements ClientServices {
  readonly contacts: ContactsModule;
  readonly rooms: RoomsModule;
  readonly handles: HandlesModule;
  readonly presence: PresenceModule;
  readonly ownDevices: OwnDevicesModule;
  /** Every message of every chat, sealed in IndexedDB; the profile keeps only each chat's newest (MESSAGES_KEPT). */
  readonly history: HistoryStore;
  private connection: PurrConnection | null = null;
  private connecting: Promise<PurrConnection> | null = null;
  private work: Promise<unknown> = Promise.resolve();
  private saving: Promise<unknown> = Promise.resolve();
  private listeners = new Set<(event: ClientEvent) => void>();
  private retryMs = 500;
  /** Receive ids (hex) whose subscription the current connection holds: their acks go unsigned. */
  private readonly subscribed = new Set<string>();
  private stopped = false;
  private purgeTimer: ReturnType<typeof setInterval> | null = null;
  private nextStoreSweep = 0;
  /** Relayed connections to other servers (by address), each through the current connection to the page's own server. */
  private readonly remotes = new Map<string, PurrConnection>();
  private readonly remotesOpening = new Map<string, Promise<PurrConnection>>();
  /** Other servers' X25519 keys (by address), fetched through this server and checked against the key each address pins. */
  private readonly relayKeys = new Map<string, Uint8Array>();
  /**
   * Set by the UI: asks the person for what the server's policy wants after a creation was refused (an invite
   * link, the server password, an account), stores it, and resolves true to try once more.
   */
  askRegistration: ((policy: RegistrationPolicy, problem: string) => Promise<boolean>) | null = null;

  constructor(
    readonly data: ProfileData,
    private readonly profileKey: ProfileKey,
    private readonly webSocketUrl: string,
    readonly random: RandomSource = systemRandom,
  ) {
    this.history = new HistoryStore(historyKey(profileKey.key));
    this.contacts = new ContactsModule(this);
    this.rooms = new RoomsModule(this);
    this.handles = new HandlesModule(this);
    this.presence = new PresenceModule(this, this.contacts);
    this.ownDevices = new OwnDevicesModule(this, this.contacts);
    this.contacts.onSent = (contact, envelope) => this.ownDevices.mirrorSent(contact, envelope);
    this.contacts.onEstablished = contact => this.ownDevices.shareContact(contact);
    this.contacts.onTimerSet = (contact, seconds) => this.ownDevices.mirrorTimer(contact, seconds);
    this.contacts.onRead = contact => this.ownDevices.mirrorRead(contact);
    this.ownDevices.joinRooms = rooms => {
      for (const room of rooms) {
        void this.rooms.join(room.link, room.displayName).catch(e => this.emit({ kind: "problem", text: `Could not join a room of your other device: ${String(e?.message ?? e)}` }));
      }
    };
  }

  get online(): boolean {
    return this.connection?.isOpen ?? false;
  }

  get identityKey(): Uint8Array {
    return parseAddress(this.data.server)!.identityKey;
  }

  on(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ClientEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /**
   * Encrypts and stores the whole profile; saves run one after another, in order. Messages not yet in the history
   * store go there first, so the profile never says "stored" of a message the store lacks.
   */
  save(): Promise<void> {
    const fresh = unstoredMessages(this.data);
    const blob = sealProfile(this.profileKey, serializeProfile(this.data));
    const done = this.saving.then(async () => {
      await this.history.append(fresh);
      await saveProfileBlob(blob);
    });
    this.saving = done.catch(() => undefined);
    this.emit({ kind: "changed" });
    return done.then(() => undefined);
  }

  /**
   * The profile as a portable file (PROTOCOL.md 9, "Portable profiles") for the purr tool or another browser, sealed
   * under this profile's passphrase key; taken between two pieces of work, so no ratchet step is half done in it.
   */
  exportFile(): Promise<Uint8Array> {
    return this.serialized(async () => {
      await this.saving;
      const stored = new Map<string, ChatMessage[]>();
      for (const { chat, message } of await this.history.all()) {
        const list = stored.get(chat);
        if (list) list.push(message);
        else stored.set(chat, [message]);
      }
      // Every stored message, the window's flags (delivered) winning for the messages it still holds.
      const full = (chat: string, window: ChatMessage[]) => {
        const inWindow = new Set(window.map(m => `${m.mine} ${m.id}`));
        return [...(stored.get(chat) ?? []).filter(m => !inWindow.has(`${m.mine} ${m.id}`)), ...window];
      };
      const copy: ProfileData = {
        ...this.data,
        contacts: this.data.contacts.map(c => ({ ...c, messages: full(`c:${c.id}`, c.messages) })),
        rooms: this.data.rooms.map(r => ({ ...r, messages: full(`r:${r.id}`, r.messages) })),
      };
      return sealProfile(this.profileKey, toPortableJson(copy));
    });
  }

  /** Disappearing messages whose time is up leave the profile, the history store and the screen within a second. */
  private purgeExpired(): Promise<void> {
    return this.serialized(async () => {
      const now = this.now();
      const changed = purgeExpired(this.data, now);
      if (changed) await this.save();
      // The store holds disappearing messages older than the window too: swept every 10 seconds, or at once with the window.
      if (changed || now >= this.nextStoreSweep) {
        this.nextStoreSweep = now + 10;
        await this.saving;
        await this.history.deleteExpired(now);
      }
    });
  }

  /** One chat's stored messages, oldest first (`chat`: "c:" or "r:" and the contact's or room's id). */
  async chatHistory(chat: string): Promise<ChatMessage[]> {
    await this.saving;
    const now = this.now();
    return (await this.history.chat(chat)).map(m => m.message).filter(m => !m.expiresAt || m.expiresAt > now);
  }

  /** Every chat's messages that contain `text` (any case), newest first. */
  async searchHistory(text: string): Promise<HistoryMessage[]> {
    await this.saving;
    const wanted = text.toLocaleLowerCase();
    const now = this.now();
    return (await this.history.all())
      .filter(m => !m.message.notice && (!m.message.expiresAt || m.message.expiresAt > now) && m.message.text.toLocaleLowerCase().includes(wanted))
      .reverse();
  }

  /** Deletes one chat's messages on this device: the profile's window and every stored record. */
  deleteChatHistory(chat: string): Promise<void> {
    return this.serialized(async () => {
      const [kind, id] = [chat.slice(0, 1), chat.slice(2)];
      const owner = kind === "c" ? this.data.contacts.find(c => c.id === id) : this.data.rooms.find(r => r.id === id);
      // The store first: a crash between the two leaves messages on screen, never a deleted chat coming back.
      await this.saving;
      await this.history.deleteChat(chat);
      if (owner) owner.messages = [];
      await this.save();
    });
  }

  /** Deletes every chat's messages on this device. */
  deleteAllHistory(): Promise<void> {
    return this.serialized(async () => {
      await this.saving;
      await this.history.deleteAll();
      for (const chat of [...this.data.contacts, ...this.data.rooms]) chat.messages = [];
      await this.save();
    });
  }

  /** Runs profile-changing work one piece at a time, so two handlers never interleave. */
  serialized<T>(action: () => Promise<T>): Promise<T> {
    const result = this.work.then(action);
    this.work = result.catch(() => undefined);
    return result;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.purgeTimer ??= setInterval(() => void this.purgeExpired(), 1000);
    await this.purgeExpired();
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    for (const remote of this.remotes.values()) remote.close();
    this.remotes.clear();
    this.connection?.close();
    this.connection = null;
  }

  async request(op: RequestOp, signer?: Signer, mailboxSigner?: Signer): Promise<ServerFrame> {
    const connection = await this.connect();
    return connection.request(op, signer, mailboxSigner);
  }

  /** A request to `server` (absent or the page's own: the usual connection; another: a relayed connection through it). */
  async requestAt(server: string | undefined, op: RequestOp, signer?: Signer, mailboxSigner?: Signer): Promise<ServerFrame> {
    if (!server || sameServer(server, this.data.server)) return this.request(op, signer, mailboxSigner);
    return (await this.connectTo(server)).request(op, signer, mailboxSigner);
  }

  /**
   * @param liveOnly a mailbox that stores nothing (lifetime 0): presence channels.
   * @param server another server than the page's own (a persistent room's there), reached through it; no credentials.
   */
  async createMailbox(liveOnly = false, server?: string): Promise<MailboxRecord> {
    const recipientKeySeed = this.random.bytes(32);
    const key = signingKeyFromSeed(recipientKeySeed);
    const remote = server && !sameServer(server, this.data.server) ? server : undefined;
    const op = (registration: Registration | undefined): RequestOp =>
      ({ case: "createMailbox", value: create(CreateMailboxSchema, { recipientKey: key.publicKey, registration, lifetimeSeconds: liveOnly ? 0 : undefined }) });
    const response = remote
      ? await this.requestAt(remote, op(undefined), recipientSigner(key))
      : await this.creating(registration => this.request(op(registration), recipientSigner(key)));
    if (response.body.case !== "mailboxCreated") throw new Error("unexpected answer to CreateMailbox");
    return { receiveId: response.body.value.receiveId, sendId: response.body.value.sendId, recipientKeySeed, ...(remote ? { server: remote } : {}) };
  }

  /**
   * Runs one creation with the credential the server's policy asks for. A token the server says was spent is
   * replaced by the next; any other refusal asks the person (askRegistration) and tries once more.
   */
  async creating<T>(attempt: (registration: Registration | undefined) => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      const connection = await this.connect();
      let registration: Registration | undefined;
      try {
        registration = await takeCredential(this.data.registration, connection, this.identityKey, this.random, () => this.save());
        return await attempt(registration);
      } catch (e) {
        const refused = e instanceof PurrError && (e.code === ErrorCode.REGISTRATION_REQUIRED || e.code === ErrorCode.REGISTRATION_REFUSED);
        if (!refused || tries >= 2) throw e;
        if (registration?.credential.case === "token" && e.code === ErrorCode.REGISTRATION_REFUSED) continue;
        if (!this.askRegistration || !(await this.askRegistration(policyOf(connection.registration), e.message))) throw e;
      }
    }
  }

  /** Keeps an invite for this server and redeems a first batch now, so a bad link shows at once. */
  async useInvite(link: string): Promise<number> {
    const invite = parseInviteLink(link);
    if (!invite) throw new Error("this is not a Purr invite link (purr:invite/…#…); ask the server's operator for the whole link");
    if (!equalBytes(invite.server.identityKey, this.identityKey)) throw new Error("this invite is for another server");
    const { tokens, left } = await redeemInvite(await this.connect(), this.identityKey, invite.secret, TOKEN_BATCH, this.random);
    this.data.registration = { ...(this.data.registration ?? { tokens: [] }), inviteSecret: invite.secret, inviteTokensLeft: left };
    this.data.registration.tokens.push(...tokens);
    await this.save();
    return tokens.length;
  }

  async setServerPassword(password: string): Promise<void> {
    this.data.registration = { ...(this.data.registration ?? { tokens: [] }), serverPassword: password };
    await this.save();
  }

  async setAccount(name: string, password: string): Promise<void> {
    this.data.registration = { ...(this.data.registration ?? { tokens: [] }), accountName: name, accountPassword: password };
    await this.save();
  }

  async secureMailbox(mailbox: MailboxRecord, senderKey: Uint8Array): Promise<void> {
    await this.requestAt(mailbox.server, { case: "secureMailbox", value: { receiveId: mailbox.receiveId, senderKey } }, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)));
  }

  async subscribe(mailbox: MailboxRecord): Promise<void> {
    await this.requestAt(mailbox.server, { case: "subscribe", value: { receiveId: mailbox.receiveId } }, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)));
    // A relayed connection comes and goes on its own: acks there are always signed.
    if (!mailbox.server) this.subscribed.add(toHex(mailbox.receiveId));
    // Its key now, so that the next reconnection proves it without a signature (PROTOCOL.md 4, "Mailbox keys").
    if (!mailbox.server && (await fetchMailboxKey(await this.connect(), mailbox))) await this.save();
  }

  async deleteMailbox(mailbox: MailboxRecord): Promise<void> {
    this.subscribed.delete(toHex(mailbox.receiveId));
    try {
      await this.requestAt(mailbox.server, { case: "deleteMailbox", value: { receiveId: mailbox.receiveId } }, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)));
    } catch (e) {
      if (!(e instanceof PurrError)) throw e;
      // Already gone: its messages expire on the server anyway.
    }
  }

  /**
   * Sends to a mailbox; unsigned (an unsecured mailbox: a card's or an address's) without a sender key. One on another
   * server goes through this page's server, by `route` ("via-home", or "hops:N" for an onion route: routes.ts).
   */
  async send(sendId: Uint8Array, payload: Uint8Array, senderKey?: SigningKeyPair, tag?: Uint8Array, server?: string, route?: string): Promise<void> {
    if (server && !sameServer(server, this.data.server)) {
      await this.sendRelayed(server, sendId, payload, senderKey, tag, route);
      return;
    }
    await this.request({ case: "sendMessage", value: { sendId, payload, tag: tag ?? new Uint8Array(0) } }, senderKey ? senderSigner(senderKey) : undefined);
  }

  /**
   * A send to a mailbox on another server, relayed by the page's own server (PROTOCOL.md section 15): sealed to the
   * other server's key, so this server learns only which server, and the other server never sees this browser.
   */
  private async sendRelayed(server: string, sendId: Uint8Array, payload: Uint8Array, senderKey?: SigningKeyPair, tag?: Uint8Array, routeText?: string): Promise<void> {
    const choice = parseRoute(routeText);
    const route = choice.kind === "hops" ? await this.onionRoute(server, choice.hops - 1)
      : choice.kind === "through" ? await this.onionRoute(server, choice.servers) : null;
    const key = route ? await this.keyThrough(route, server) : await this.relayKey(server);
    const ephemeral = newEphemeral(this.random);
    const requestBytes = toBinary(RequestSchema, create(RequestSchema, { id: 1n, op: { case: "sendMessage", value: { sendId, payload, tag: tag ?? new Uint8Array(0) } } }));
    const relayed = create(RelayedRequestSchema, {
      request: requestBytes,
      signature: senderKey ? sign(senderKey, senderRequest(ephemeral.publicKey, requestBytes)) : new Uint8Array(0),
      sentAt: BigInt(this.now()),
    });
    const { packet, reply } = sealRelayPacket(key, ephemeral, toBinary(RelayedRequestSchema, relayed), this.random);
    const frame = route
      ? await this.onionRequest(route, { case: "proxyForward", value: { destination: server, packet } })
      : await this.request({ case: "proxyForward", value: { destination: server, packet } });
    const opened = frame.body.case === "relayResult" ? openRelayResponse(reply, frame.body.value.packet) : null;
    if (!opened) throw new Error("the relayed answer does not open: your server or the other one changed it");
    const answer = fromBinary(ServerFrameSchema, opened);
    if (answer.body.case === "error") throw new PurrError(answer.body.value.code, answer.body.value.detail);
  }

  /**
   * The servers of an onion route with their checked keys: this page's server, then `further` (a number picked at random
   * from its catalog for this message, or the servers named), each key asked of the server before it.
   */
  private async onionRoute(destination: string, further: number | string[]): Promise<{ address: string; key: Uint8Array }[]> {
    const route = [{ address: this.data.server, key: await this.relayKey(this.data.server) }];
    const servers = typeof further === "number" ? pickHops(await fetchCatalog(this.identityKey), this.data.server, destination, further, this.random) : further;
    for (const server of servers) {
      route.push({ address: server, key: await this.keyThrough(route, server) });
    }
    return route;
  }

  /** A server's X25519 key asked of the last server of `route` through the route (RelayKeys as the exit's request), checked and kept. */
  private async keyThrough(route: { address: string; key: Uint8Array }[], server: string): Promise<Uint8Array> {
    if (route.length <= 1) return this.relayKey(server);
    const known = this.relayKeys.get(server);
    if (known) return known;
    const destination = parseAddress(server);
    if (!destination) throw new Error("that server address is not valid");
    const frame = await this.onionRequest(route, { case: "relayKeys", value: { destination: server } });
    const keys = frame.body.case === "serverKeys" ? frame.body.value : null;
    if (!keys || keys.x25519Key.length !== 32 || !verify(destination.identityKey, serverX25519(keys.x25519Key), keys.x25519Signature)) {
      throw new Error("a server's key, as the route gave it, is not signed by the key its address pins; not sending");
    }
    this.relayKeys.set(server, keys.x25519Key);
    return keys.x25519Key;
  }

  /**
   * One request through an onion route (PROTOCOL.md 15.5), this page's server first; the last server's answer. An
   * error any server of the route gives is thrown naming which one; an answer no hop's key opens was changed on the way.
   */
  private async onionRequest(route: { address: string; key: Uint8Array }[], exit: RequestOp): Promise<ServerFrame> {
    const exitMessage = toBinary(RequestSchema, create(RequestSchema, { id: 1n, op: exit }));
    const { packet, keys } = buildOnion(route.map(h => h.key), route.slice(1).map(h => h.address), exitMessage, BigInt(this.now()), this.random.bytes(32), this.random);
    const frame = await this.request({ case: "onionForward", value: { packet } });
    const opened = frame.body.case === "onionResult" ? openOnionReply(keys, frame.body.value.reply) : null;
    if (!opened) throw new Error("the route's answer does not open: a server on the route changed it");
    const answer = fromBinary(ServerFrameSchema, opened.message);
    if (answer.body.case === "error") {
      const where = opened.hop === route.length - 1 ? "the last server of the route" : `server ${opened.hop + 1} of the route`;
      throw new PurrError(answer.body.value.code, `${where}: ${answer.body.value.detail}`);
    }
    return answer;
  }

  private async relayKey(server: string): Promise<Uint8Array> {
    const known = this.relayKeys.get(server);
    if (known) return known;
    const destination = parseAddress(server);
    if (!destination) throw new Error("the contact's server address is not valid");
    let frame: ServerFrame;
    try {
      frame = await this.request({ case: "relayKeys", value: { destination: server } });
    } catch (e) {
      if (e instanceof PurrError && (e.code === ErrorCode.PEER_REFUSED || e.code === ErrorCode.UNKNOWN_REQUEST)) {
        throw new Error(`this contact's mailbox is on another Purr server, and this server does not relay there (${e.message}); ask its operator to enable federation, or use the purr CLI`);
      }
      throw e;
    }
    const keys = frame.body.case === "serverKeys" ? frame.body.value : null;
    if (!keys || keys.x25519Key.length !== 32 || !verify(destination.identityKey, serverX25519(keys.x25519Key), keys.x25519Signature)) {
      throw new Error("the other server's key, as this server gave it, is not signed by the key its address pins; not sending");
    }
    this.relayKeys.set(server, keys.x25519Key);
    return keys.x25519Key;
  }

  async blockSenders(mailbox: MailboxRecord, tags: Uint8Array[], clear: boolean): Promise<void> {
    await this.requestAt(mailbox.server, { case: "blockSenders", value: { receiveId: mailbox.receiveId, tags, clear } }, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)));
  }

  /** On the connection holding the subscription an ack needs no signature (PROTOCOL.md section 4). */
  private async ack(mailbox: MailboxRecord, messageId: Uint8Array): Promise<void> {
    const signer = this.subscribed.has(toHex(mailbox.receiveId)) ? undefined : recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed));
    try {
      await this.requestAt(mailbox.server, { case: "ack", value: { receiveId: mailbox.receiveId, messageId } }, signer);
    } catch (e) {
      // Already acknowledged, or the mailbox was deleted while handling.
      if (!(e instanceof PurrError && (e.code === ErrorCode.NO_MESSAGE || e.code === ErrorCode.AUTH))) throw e;
    }
  }

  private connect(): Promise<PurrConnection> {
    if (this.connection?.isOpen) return Promise.resolve(this.connection);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<PurrConnection> {
    const connection = await PurrConnection.connect(this.webSocketUrl, this.identityKey);
    connection.onPush = frame => void this.serialized(() => this.handlePush(frame)).catch(e => this.emit({ kind: "problem", text: String(e?.message ?? e) }));
    connection.onClose = () => this.reconnectLater();
    this.connection = connection;
    this.retryMs = 500;
    this.subscribed.clear();
    // Room mailboxes are subscribed with their rooms (a room stopped while this page was away is gone).
    const roomMailboxes = new Set(this.data.rooms.map(r => r.mailbox));
    let gotKeys = false;
    for (const mailbox of this.allMailboxes().filter(m => !roomMailboxes.has(m))) {
      try {
        await subscribeProven(connection, mailbox);
        this.subscribed.add(toHex(mailbox.receiveId));
      } catch (e) {
        if (!(e instanceof PurrError)) throw e;
        // One mailbox gone from the server must not keep every other conversation offline.
        this.emit({ kind: "problem", text: `a mailbox of this profile is no longer on the server (${e.message})` });
        continue;
      }
      gotKeys = (await fetchMailboxKey(connection, mailbox)) || gotKeys;
    }
    if (gotKeys) await this.save();
    await this.rooms.subscribeAll();
    this.emit({ kind: "connection", online: true });
    // This page is a running client: its contacts may see it (and it them), if presence is on.
    void this.serialized(() => this.presence.onConnected()).catch(() => undefined);
    return connection;
  }

  /** The relayed connection to `server`, opened through the page's own server if there is none. */
  private connectTo(server: string): Promise<PurrConnection> {
    const open = this.remotes.get(server);
    if (open?.isOpen) return Promise.resolve(open);
    let opening = this.remotesOpening.get(server);
    if (!opening) {
      opening = this.openRemote(server).finally(() => this.remotesOpening.delete(server));
      this.remotesOpening.set(server, opening);
    }
    return opening;
  }

  private async openRemote(server: string): Promise<PurrConnection> {
    const address = parseAddress(server);
    if (!address) throw new Error("that server address is not valid");
    // While the own connection is still opening (its rooms subscribed from open()), it is already usable: no waiting on ourselves.
    const home = this.connection?.isOpen ? this.connection : await this.connect();
    let pipe: TunnelPipe;
    try {
      pipe = await TunnelPipe.open(home, server, address.identityKey, this.random);
    } catch (e) {
      if (e instanceof PurrError && (e.code === ErrorCode.PEER_REFUSED || e.code === ErrorCode.UNKNOWN_REQUEST)) {
        throw new Error(`this is on another Purr server, and this server does not relay there (${e.message}); ask its operator to enable federation, or use the purr CLI`);
      }
      throw e;
    }
    const connection = await PurrConnection.over(pipe, address.identityKey);
    connection.onPush = frame => void this.serialized(() => this.handlePush(frame, server)).catch(e => this.emit({ kind: "problem", text: String(e?.message ?? e) }));
    connection.onClose = () => this.remoteLost(server, connection);
    this.remotes.set(server, connection);
    return connection;
  }

  /** A relayed connection ended while the page's own stays: its rooms are subscribed again shortly (the own's reconnect does it otherwise). */
  private remoteLost(server: string, connection: PurrConnection): void {
    if (this.remotes.get(server) === connection) this.remotes.delete(server);
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped || !this.connection?.isOpen || this.remotes.get(server)?.isOpen) return;
      void this.serialized(() => this.rooms.subscribeAll(server)).catch(e => {
        if (!(e instanceof ConnectionClosedError)) this.emit({ kind: "problem", text: String(e?.message ?? e) });
        this.remoteLost(server, connection);
      });
    }, 2_000);
  }

  private reconnectLater(): void {
    this.connection = null;
    this.emit({ kind: "connection", online: false });
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    setTimeout(() => {
      if (!this.stopped) this.connect().catch(() => this.reconnectLater());
    }, delay);
  }

  allMailboxes(): MailboxRecord[] {
    return [
      ...this.data.invites.map(i => i.mailbox),
      ...(this.data.address ? [this.data.address.mailbox] : []),
      ...this.data.contacts.flatMap(c => c.inbox),
      ...this.data.contacts.flatMap(c => (c.presenceInbox ? [c.presenceInbox] : [])),
      ...this.data.rooms.flatMap(r => (r.mailbox && !r.ended ? [r.mailbox] : [])),
      ...(this.data.devicesInbox ? [this.data.devicesInbox] : []),
      ...(this.ownDevices?.offered && !this.ownDevices.offered.answered ? [this.ownDevices.offered.mailbox] : []),
    ];
  }

  /** @param server the other server a relayed connection's push came from (its broadcasts are not this server's). */
  private async handlePush(frame: ServerFrame, server?: string): Promise<void> {
    if (frame.body.case === "broadcast") {
      if (server) return;
      // The operator's announcement counts only if the pinned server key signed it and it has not expired.
      const opened = openBroadcast(frame.body.value.body, frame.body.value.signature, this.identityKey, this.now());
      if (opened) this.emit({ kind: "broadcast", ...opened });
      return;
    }
    if (frame.body.case === "subscriptionEnded") {
      this.subscribed.delete(toHex(frame.body.value.receiveId));
      return;
    }
    if (frame.body.case === "roomEvent") {
      await this.rooms.handleEvent(frame.body.value);
      return;
    }
    if (frame.body.case !== "messageEvent" || !frame.body.value.message) return;
    const { receiveId, message, live } = frame.body.value;
    const mailbox = this.allMailboxes().find(m => equalBytes(m.receiveId, receiveId));
    if (!mailbox) return;
    const invite = this.data.invites.find(i => i.mailbox === mailbox);
    const presenceOf = this.data.contacts.find(c => c.presenceInbox === mailbox);
    if (presenceOf) {
      // Live only: nothing to acknowledge, nothing to save.
      await this.presence.handlePresence(presenceOf, message.payload);
      return;
    }
    if (this.ownDevices.isLinkMailbox(mailbox)) {
      // A device answering this browser's link: its mailbox goes with the answer, nothing to acknowledge.
      await this.ownDevices.onLinkAnswer(message.payload);
      return;
    }
    const contact = this.data.contacts.find(c => c.inbox.includes(mailbox));
    const room = this.data.rooms.find(r => r.mailbox === mailbox);
    if (invite) await this.contacts.handleInviteAnswer(invite, message.payload);
    else if (this.data.address?.mailbox === mailbox) await this.contacts.handleAddressRequest(message.payload);
    else if (contact) await this.contacts.handleMessage(contact, message.payload);
    else if (room) await this.rooms.handleStored(message.payload);
    else if (this.data.devicesInbox === mailbox) await this.ownDevices.handle(message.payload);
    await this.save();
    if (!live) await this.ack(mailbox, message.messageId);
  }
}

/**
 * Subscribes on a reconnection: with the mailbox's key where the profile has it (a keyed hash instead of a signature,
 * PROTOCOL.md 4), else signed; a key the server refuses is dropped and followed by the signed request once.
 */
async function subscribeProven(connection: PurrConnection, mailbox: MailboxRecord): Promise<void> {
  const op: RequestOp = { case: "subscribe", value: { receiveId: mailbox.receiveId } };
  if (mailbox.mailboxKey) {
    try {
      await connection.request(op, undefined, undefined, { receiveId: mailbox.receiveId, key: mailbox.mailboxKey });
      return;
    } catch (e) {
      if (!(e instanceof PurrError) || e.code !== ErrorCode.AUTH) throw e;
      // Dropped (each refusal counts towards the server's failed-authentication limit); fetched again below.
      mailbox.mailboxKey = undefined;
    }
  }
  await connection.request(op, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)));
}

/** Fetches the mailbox's key once (true: the profile changed); a server without mailbox keys leaves it without one. */
async function fetchMailboxKey(connection: PurrConnection, mailbox: MailboxRecord): Promise<boolean> {
  if (mailbox.mailboxKey) return false;
  try {
    mailbox.mailboxKey = (await getMailboxKey(connection, mailbox.receiveId, recipientSigner(signingKeyFromSeed(mailbox.recipientKeySeed)))).key;
    return true;
  } catch (e) {
    // Only a lost connection ends the reconnection; without a key (an older server, a mailbox gone) signatures still work.
    if (e instanceof ConnectionClosedError) throw e;
    return false;
  }
}
