// Rooms (PROTOCOL.md section 12), the C# RoomSession's behaviour, all rooms multiplexed on the
// client's one connection: events are routed by room id, persistent traffic by the room mailbox.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  RoomEventSchema, RoomKind, RoomPlaintextSchema, RoomRole, RoomSettingsSchema, RoomInviteSchema,
  type RoomEvent, type RoomMember, type RoomPlaintext, type RoomSettings, SealedRoomKeySchema,
} from "../gen/purr/v1/rooms_pb";
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { dhKeyFromSecret, sign, signingKeyFromSeed, verify } from "../crypto/sodium";
import { equalBytes, fromHex, toHex } from "../protocol/bytes";
import { memberRequest, recipientRequest, roomMessage } from "../protocol/signed-bytes";
import { sameServer } from "../protocol/address";
import { PurrError, type Signer } from "../net/connection";
import { decryptGroup, encryptGroup, initialKeyId, joinTag, KEY_ID_BYTES, openKey, openProfile, openSealed, sealKeyFor, sealProfile, sealToMember } from "../rooms/room-crypto";
import { mlKemPublicKey } from "../crypto/mlkem";
import { formatRoomLink, parseRoomLink } from "../rooms/room-link";
import { appendMessage, type RoomRecord } from "./model";
import { describeTimer, expiryOf, normalizeTimer } from "./disappearing";
import type { ClientServices } from "./client-services";
import type { MailboxRecord } from "./model";

/** connected: the member has a connection to the room now, as the server last said (member list, then connection events). */
/** The most bytes of sealed keys one RoomKeyUpdate message carries (under the default 64 KiB room message limit once padded). */
const KEY_UPDATE_BUDGET_BYTES = 40_000;

export interface MemberView { key: string; name: string; role: RoomRole; voice: boolean; me: boolean; connected: boolean }

export class RoomsModule {
  /** Members as the server last told them, per room id; not saved (asked again on every connect). */
  private readonly members = new Map<string, RoomMember[]>();
  private readonly settings = new Map<string, RoomSettings>();
  private readonly bans = new Map<string, number>();
  /** "room id:member key" of members this page kicked whose "left" echo has not come: their kick rotated the key already. */
  private readonly kickedHere = new Set<string>();
  /** Members whose join already showed their name (from the sealed profile), so their hello adds no second line. */
  private readonly announced = new Set<string>();

  constructor(private readonly client: ClientServices) {}

  private get data() {
    return this.client.data;
  }

  find(id: string): RoomRecord | undefined {
    return this.data.rooms.find(r => r.id === id);
  }

  roomSettings(id: string): RoomSettings | undefined {
    return this.settings.get(id);
  }

  /** @param title the room's name, carried in the link so joiners see it too (optional). */
  create(name: string, persistent: boolean, moderated = false, title = ""): Promise<RoomRecord> {
    return this.client.serialized(async () => {
      const random = this.client.random;
      const roomKey = random.bytes(32);
      const joinSecret = random.bytes(32);
      const memberKeySeed = random.bytes(32);
      const dhSecret = random.bytes(32);
      const kemSeed = random.bytes(64);
      const mailbox = persistent ? await this.client.createMailbox() : null;
      const member = signingKeyFromSeed(memberKeySeed);
      const kind = persistent ? RoomKind.PERSISTENT : RoomKind.TRANSIENT;
      const tag = joinTag(await this.tagSecret(), roomKey);
      const response = await this.client.creating(registration => this.client.request({
        case: "createRoom",
        value: {
          kind, memberKey: member.publicKey, memberDhKey: dhKeyFromSecret(dhSecret).publicKey, memberKemKey: mlKemPublicKey(kemSeed), joinSecret,
          settings: create(RoomSettingsSchema, { moderated }), password: "", mailboxReceiveId: mailbox?.receiveId ?? new Uint8Array(0),
          memberProfile: this.sealedProfile(roomKey, member.publicKey, name), registration, joinTag: tag,
        },
      }, this.signerFor(memberKeySeed), mailboxSignerFor(mailbox)));
      if (response.body.case !== "roomCreated") throw new Error("unexpected answer to CreateRoom");
      const invite = create(RoomInviteSchema, { server: this.data.server, roomId: response.body.value.roomId, joinSecret, kind, passwordRequired: false, name: title });
      const keyId = toHex(initialKeyId(roomKey));
      const room: RoomRecord = {
        id: toHex(invite.roomId), link: formatRoomLink({ invite, roomKey }), title, displayName: name, memberKeySeed, dhSecret, kemSeed,
        keys: { [keyId]: roomKey }, currentKeyId: keyId, names: {}, mailbox, topic: "", ended: false, membersRemovedSinceKey: false, messages: [], unread: 0,
      };
      this.data.rooms.push(room);
      await this.client.save();
      await this.subscribe(room);
      return room;
    });
  }

  join(link: string, name: string, password = ""): Promise<RoomRecord> {
    return this.client.serialized(async () => {
      const parsed = parseRoomLink(link);
      // A room on another server is joined and followed through this page's server (PROTOCOL.md 15.6).
      const server = sameServer(parsed.invite.server, this.data.server) ? undefined : parsed.invite.server;
      const id = toHex(parsed.invite.roomId);
      const existing = this.find(id);
      if (existing && !existing.ended) return existing;
      const random = this.client.random;
      const memberKeySeed = random.bytes(32);
      const dhSecret = random.bytes(32);
      const kemSeed = random.bytes(64);
      const mailbox = parsed.invite.kind === RoomKind.PERSISTENT ? await this.client.createMailbox(false, server) : null;
      const memberKey = signingKeyFromSeed(memberKeySeed).publicKey;
      const response = await this.client.requestAt(server, {
        case: "joinRoom",
        value: {
          roomId: parsed.invite.roomId, joinSecret: parsed.invite.joinSecret, memberKey,
          memberDhKey: dhKeyFromSecret(dhSecret).publicKey, memberKemKey: mlKemPublicKey(kemSeed), password, mailboxReceiveId: mailbox?.receiveId ?? new Uint8Array(0),
          memberProfile: this.sealedProfile(parsed.roomKey, memberKey, name), joinTag: joinTag(await this.tagSecret(), parsed.roomKey),
        },
      }, this.signerFor(memberKeySeed), mailboxSignerFor(mailbox));
      if (response.body.case !== "roomJoined") throw new Error("unexpected answer to JoinRoom");
      const keyId = toHex(initialKeyId(parsed.roomKey));
      const room: RoomRecord = {
        id, link: formatRoomLink(parsed), title: parsed.invite.name.slice(0, 64), displayName: name, memberKeySeed, dhSecret, kemSeed, keys: { [keyId]: parsed.roomKey }, currentKeyId: keyId,
        names: {}, mailbox, topic: "", ended: false, membersRemovedSinceKey: false, messages: [], unread: 0,
      };
      if (existing) this.data.rooms.splice(this.data.rooms.indexOf(existing), 1);
      this.data.rooms.push(room);
      this.members.set(id, [...response.body.value.members]);
      this.learnNames(room, response.body.value.members);
      if (response.body.value.settings) this.settings.set(id, response.body.value.settings);
      await this.client.save();
      await this.subscribe(room);
      try {
        await this.sendPlaintext(room, { case: "hello", value: name }, null);
      } catch (e) {
        // A moderated room: without voice even the hello waits.
        if (!(e instanceof PurrError && e.code === ErrorCode.FORBIDDEN)) throw e;
      }
      return room;
    });
  }

  /** On every (re)connect: each live room's events to this connection, and its member list (`server`: only that server's rooms). */
  async subscribeAll(server?: string): Promise<void> {
    for (const room of this.data.rooms.filter(r => !r.ended && (!server || sameServer(this.serverOf(r), server)))) {
      try {
        await this.subscribe(room);
      } catch (e) {
        if (e instanceof PurrError && e.code === ErrorCode.AUTH) await this.end(room, "The room no longer exists.");
        else throw e;
      }
    }
  }

  sendText(roomId: string, text: string): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      await this.sendPlaintext(room, { case: "text", value: text }, null, true);
    });
  }

  /** The room's disappearing-message timer for every member (0 off); they adopt it from this message. */
  setDisappearing(roomId: string, seconds: number): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      const normalized = normalizeTimer(seconds);
      await this.sendPlaintext(room, { case: "disappearingTimer", value: normalized }, null);
      if (normalized === 0) delete room.disappearAfter;
      else room.disappearAfter = normalized;
      this.notice(room, normalized === 0 ? "You turned disappearing messages off" : `You set disappearing messages to ${describeTimer(normalized)}`);
      await this.client.save();
    });
  }

  /** /purr: encrypted to one member alone and delivered by the server to that member only. */
  whisper(roomId: string, memberKey: string, text: string): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      await this.sendPlaintext(room, { case: "text", value: text }, fromHex(memberKey), true);
    });
  }

  /**
   * /kick (and /ban): the server removes the member at once and takes a new join secret in the same step, so the
   * member's link stops working; then a new room key goes to everyone left, with the new link sealed under it.
   * With ban the server refuses the member's join tag from now on.
   */
  kick(roomId: string, memberKey: string, ban = false): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      const newSecret = this.client.random.bytes(32);
      this.kickedHere.add(`${room.id}:${memberKey}`);
      await this.roomRequest(room, "roomKick", { target: fromHex(memberKey), newJoinSecret: newSecret, ban });
      this.members.set(room.id, (this.members.get(room.id) ?? []).filter(m => toHex(m.memberKey) !== memberKey));
      room.link = withJoinSecret(room.link, newSecret);
      await this.client.save();
      await this.rotateKey(room, newSecret);
      if (ban) await this.fetchMembers(room); // the ban count the members view shows
    });
  }

  /** Empties the room's ban list (owner and moderators; anyone in a flat room). */
  clearBans(roomId: string): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      await this.fetchMembers(room);
      await this.roomRequest(room, "roomConfigure", { settings: this.settings.get(room.id) ?? create(RoomSettingsSchema), clearBans: true });
      await this.fetchMembers(room);
    });
  }

  /** How many entries the room's ban list holds, as the server last said (it cannot say whose). */
  banCount(roomId: string): number {
    return this.bans.get(roomId) ?? 0;
  }

  /** The profile's secret for join tags, made (and saved) on first use. */
  private async tagSecret(): Promise<Uint8Array> {
    if (this.data.roomTagSecret?.length !== 32) {
      this.data.roomTagSecret = this.client.random.bytes(32);
      await this.client.save();
    }
    return this.data.roomTagSecret;
  }

  /** /exit: a farewell to everyone, then leave. */
  exit(roomId: string, farewell = "left the room"): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      try {
        await this.sendPlaintext(room, { case: "farewell", value: farewell }, null);
      } catch {
        // Leaving anyway.
      }
      await this.roomRequest(room, "roomLeave", {});
      await this.end(room, "You left the room.");
    });
  }

  /** /stop: the room ends for everyone and the server deletes all of it. */
  stopRoom(roomId: string): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      await this.roomRequest(room, "roomStop", {});
      await this.end(room, "You ended the room.");
    });
  }

  /** /topic: stored by the server as ciphertext under the current room key. */
  setTopic(roomId: string, topic: string): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      const settings = create(RoomSettingsSchema, (await this.fetchMembers(room)).settings);
      settings.topic = this.encryptGroup(room, this.plaintext(room, { case: "topic", value: topic }));
      await this.roomRequest(room, "roomConfigure", { settings });
    });
  }

  setLocked(roomId: string, locked: boolean): Promise<void> {
    return this.client.serialized(async () => {
      const room = this.require(roomId);
      const settings = create(RoomSettingsSchema, (await this.fetchMembers(room)).settings);
      settings.locked = locked;
      await this.roomRequest(room, "roomConfigure", { settings });
    });
  }

  setRole(roomId: string, memberKey: string, role: RoomRole, voice: boolean): Promise<void> {
    return this.client.serialized(async () => {
      await this.roomRequest(this.require(roomId), "roomSetRole", { target: fromHex(memberKey), role, voice });
    });
  }

  /** Keys and roles from the server, names from the members' own messages. */
  async refreshMembers(roomId: string): Promise<MemberView[]> {
    const room = this.require(roomId);
    await this.fetchMembers(room);
    return this.memberViews(roomId);
  }

  memberViews(roomId: string): MemberView[] {
    const room = this.find(roomId);
    if (!room) return [];
    const me = toHex(signingKeyFromSeed(room.memberKeySeed).publicKey);
    return (this.members.get(roomId) ?? []).map(m => {
      const key = toHex(m.memberKey);
      return { key, name: this.nameOf(room, key), role: m.role, voice: m.voice, me: key === me, connected: key === me || m.connected };
    });
  }

  myRole(roomId: string): RoomRole {
    return this.memberViews(roomId).find(m => m.me)?.role ?? RoomRole.MEMBER;
  }

  nameOf(room: RoomRecord, memberKey: string): string {
    if (memberKey === toHex(signingKeyFromSeed(room.memberKeySeed).publicKey)) return room.displayName;
    return room.names[memberKey] ?? `member ${memberKey.slice(0, 8)}`;
  }

  /**
   * The member a command names at the start of its argument (names may contain spaces; the longest
   * matching name wins), or by the start of its key; with the rest of the text.
   */
  resolveMember(roomId: string, text: string): { key: string; rest: string } | null {
    const views = this.memberViews(roomId).filter(m => !m.me).sort((a, b) => b.name.length - a.name.length);
    const trimmed = text.trim();
    const byName = views.filter(m => trimmed === m.name || trimmed.startsWith(m.name + " "));
    if (byName.length > 0 && (byName.length === 1 || byName[0]!.name.length > byName[1]!.name.length)) {
      return { key: byName[0]!.key, rest: trimmed.slice(byName[0]!.name.length).trim() };
    }
    const [first = "", ...words] = trimmed.split(/\s+/);
    const byKey = views.filter(m => first.length >= 4 && m.key.startsWith(first.toLowerCase()));
    return byKey.length === 1 ? { key: byKey[0]!.key, rest: words.join(" ") } : null;
  }

  async markRead(roomId: string): Promise<void> {
    const room = this.find(roomId);
    if (room && room.unread > 0) {
      room.unread = 0;
      await this.client.save();
    }
  }

  async forget(roomId: string): Promise<void> {
    const room = this.find(roomId);
    if (!room) return;
    this.data.rooms.splice(this.data.rooms.indexOf(room), 1);
    await this.client.save();
  }

  async handleStored(payload: Uint8Array): Promise<void> {
    let event: RoomEvent;
    try {
      event = fromBinary(RoomEventSchema, payload);
    } catch {
      return; // Not a room event: dropped.
    }
    await this.handleEvent(event);
  }

  async handleEvent(event: RoomEvent): Promise<void> {
    const room = this.find(toHex(event.roomId));
    if (!room || room.ended) return;
    const me = signingKeyFromSeed(room.memberKeySeed).publicKey;
    const kind = event.kind;
    switch (kind.case) {
      case "message":
        this.handleMessage(room, kind.value.sender, kind.value.ciphertext, kind.value.signature, kind.value.whisper);
        break;
      case "connection": {
        // Live only: who has a connection to the room now. Kept on the member as the server listed it.
        const key = kind.value.memberKey;
        const list = this.members.get(room.id) ?? [];
        const member = list.find(m => equalBytes(m.memberKey, key));
        if (member) member.connected = kind.value.connected;
        this.client.emit({ kind: "changed" });
        break;
      }
      case "joined":
        this.upsertMember(room.id, kind.value);
        // A newcomer holds only the link's key: if the key moved on since, the next to speak seals it the current one.
        if (!equalBytes(kind.value.memberKey, me)) room.awaitingKey = [...new Set([...(room.awaitingKey ?? []), toHex(kind.value.memberKey)])];
        if (this.learnNames(room, [kind.value]) > 0) this.announced.add(toHex(kind.value.memberKey));
        this.notice(room, `${this.nameOf(room, toHex(kind.value.memberKey))} joined`);
        break;
      case "left": {
        const gone = toHex(kind.value.memberKey);
        if (equalBytes(kind.value.memberKey, me)) {
          await this.end(room, kind.value.kicked ? "You were removed from the room." : "You left the room.");
          break;
        }
        this.members.set(room.id, (this.members.get(room.id) ?? []).filter(m => toHex(m.memberKey) !== gone));
        // A member this page kicked was rotated away from by the kick itself (the echo may come after it).
        if (!this.kickedHere.delete(`${room.id}:${gone}`)) room.membersRemovedSinceKey = true;
        room.awaitingKey = (room.awaitingKey ?? []).filter(k => k !== gone);
        this.notice(room, `${this.nameOf(room, gone)} ${kind.value.kicked ? "was removed" : "left"}`);
        break;
      }
      case "stopped":
        await this.end(room, "The room was ended.");
        break;
      case "configured":
        this.settings.set(room.id, kind.value);
        if (kind.value.topic.length > 0) {
          const topic = this.decryptGroup(room, kind.value.topic);
          if (topic?.body.case === "topic") {
            room.topic = topic.body.value;
            this.notice(room, `Topic: ${room.topic}`);
          }
        }
        break;
      case "roleChanged":
        this.upsertMember(room.id, kind.value);
        break;
      default:
        break;
    }
  }

  private handleMessage(room: RoomRecord, sender: Uint8Array, ciphertext: Uint8Array, signature: Uint8Array, whisper: boolean): void {
    const roomId = fromHex(room.id);
    const me = signingKeyFromSeed(room.memberKeySeed).publicKey;
    if (!verify(sender, roomMessage(roomId, whisper ? me : new Uint8Array(0), ciphertext), signature)) return;
    let plaintext: RoomPlaintext | null;
    if (whisper) {
      const opened = openSealed(roomId, room.dhSecret, ciphertext);
      plaintext = opened ? parsePlaintext(opened) : null;
    } else {
      plaintext = this.decryptGroup(room, ciphertext);
    }
    if (!plaintext) return;
    const senderHex = toHex(sender);
    if (plaintext.senderName) room.names[senderHex] = plaintext.senderName;
    const name = this.nameOf(room, senderHex);
    const body = plaintext.body;
    switch (body.case) {
      case "text": {
        const expiresAt = expiryOf(this.client.now(), plaintext.disappearAfter);
        appendMessage(room.messages, { id: toHex(plaintext.messageId), mine: false, text: body.value, sentAt: Number(plaintext.sentAt), sender: name, whisper, ...(expiresAt ? { expiresAt } : {}) });
        room.unread++;
        this.client.emit({ kind: "message", where: "room", id: room.id, title: `New message in ${this.roomTitle(room)}` });
        break;
      }
      case "disappearingTimer": {
        if (whisper) break;
        // The room's setting, for this member's texts too: every member honours the last one anyone set.
        const seconds = normalizeTimer(body.value);
        if (seconds === 0) delete room.disappearAfter;
        else room.disappearAfter = seconds;
        this.notice(room, seconds === 0 ? `${name} turned disappearing messages off` : `${name} set disappearing messages to ${describeTimer(seconds)}`);
        break;
      }
      case "hello":
        // Joins that carried a name were announced with it already.
        if (!this.announced.delete(senderHex)) this.notice(room, `${name} is here`);
        break;
      case "farewell":
        this.notice(room, `${name} left: ${body.value}`);
        break;
      case "keyUpdate": {
        const mine = body.value.keys.find(k => equalBytes(k.memberKey, me));
        const key = mine ? openKey(roomId, room.dhSecret, room.kemSeed, mine.sealed, mine.kemCiphertext) : null;
        if (key?.length === 32 && body.value.keyId.length === KEY_ID_BYTES) {
          room.keys[toHex(body.value.keyId)] = key;
          room.currentKeyId = toHex(body.value.keyId);
          room.membersRemovedSinceKey = false;
          if (body.value.link.length > 0) this.learnLink(room, body.value.keyId, body.value.link);
        }
        // Whoever this update was sealed to has that key now (another member shared it, or rotated to it).
        if (toHex(body.value.keyId) === room.currentKeyId) {
          const got = new Set(body.value.keys.map(k => toHex(k.memberKey)));
          room.awaitingKey = (room.awaitingKey ?? []).filter(k => !got.has(k));
        }
        break;
      }
      default:
        break;
    }
  }

  /** A kick's new join secret, readable only under the key the update brought (PROTOCOL.md 12, "Kicks, links and bans"). */
  private learnLink(room: RoomRecord, keyId: Uint8Array, link: Uint8Array): void {
    if (!equalBytes(link.subarray(0, KEY_ID_BYTES), keyId)) return;
    const opened = decryptGroup(fromHex(room.id), link, id => room.keys[toHex(id)]);
    const plaintext = opened ? parsePlaintext(opened) : null;
    if (plaintext?.body.case !== "linkUpdate") return;
    const secret = plaintext.body.value.joinSecret;
    if (secret.length < 16 || secret.length > 64) return;
    room.link = withJoinSecret(room.link, secret);
    this.notice(room, "The room's link changed after a kick; the old one no longer works.");
  }

  roomTitle(room: RoomRecord): string {
    return room.topic || room.title || `room ${room.id.slice(0, 6)}`;
  }

  /** This member's name for the others, sealed under the link's key (PROTOCOL.md section 12). */
  private sealedProfile(linkKey: Uint8Array, memberKey: Uint8Array, name: string): Uint8Array {
    return sealProfile(linkKey, memberKey, toBinary(RoomPlaintextSchema, create(RoomPlaintextSchema, { senderName: name })), this.client.random);
  }

  /** Names from members' sealed profiles, where no message of theirs named them yet; returns how many profiles opened. */
  private learnNames(room: RoomRecord, members: readonly RoomMember[]): number {
    const linkKey = parseRoomLink(room.link).roomKey;
    let opened = 0;
    for (const member of members) {
      const bytes = member.memberProfile.length > 0 ? openProfile(linkKey, member.memberKey, member.memberProfile) : null;
      const name = bytes ? parsePlaintext(bytes)?.senderName : undefined;
      if (!name) continue;
      opened++;
      room.names[toHex(member.memberKey)] ??= name;
    }
    return opened;
  }

  private async subscribe(room: RoomRecord): Promise<void> {
    await this.roomRequest(room, "subscribeRoom", {});
    if (room.mailbox) await this.client.subscribe(room.mailbox);
    await this.fetchMembers(room);
  }

  private async fetchMembers(room: RoomRecord): Promise<{ settings?: RoomSettings }> {
    const response = await this.roomRequest(room, "roomMembers", {});
    if (response.body.case !== "roomMemberList") return {};
    this.members.set(room.id, [...response.body.value.members]);
    this.learnNames(room, response.body.value.members);
    if (response.body.value.settings) this.settings.set(room.id, response.body.value.settings);
    this.bans.set(room.id, response.body.value.bans);
    this.client.emit({ kind: "changed" });
    return { settings: response.body.value.settings };
  }

  private upsertMember(roomId: string, member: RoomMember): void {
    const list = (this.members.get(roomId) ?? []).filter(m => !equalBytes(m.memberKey, member.memberKey));
    list.push(member);
    this.members.set(roomId, list);
  }

  /**
   * Makes a new room key and seals it to every other current member; later messages use it. After a kick the update
   * carries the new join secret, encrypted under the new key so only those it is sealed to learn it.
   */
  private async rotateKey(room: RoomRecord, newJoinSecret?: Uint8Array): Promise<void> {
    // The update is a group message under the current key: a newcomer still waiting for that key gets it first.
    await this.shareCurrentKey(room);
    const random = this.client.random;
    const newKey = random.bytes(32);
    const newKeyId = random.bytes(KEY_ID_BYTES);
    const me = signingKeyFromSeed(room.memberKeySeed).publicKey;
    const keys = (this.members.get(room.id) ?? []).filter(m => !equalBytes(m.memberKey, me)).map(m => sealKeyFor(fromHex(room.id), m, newKey, random));
    const link = newJoinSecret
      ? encryptGroup(fromHex(room.id), newKeyId, newKey, toBinary(RoomPlaintextSchema, create(RoomPlaintextSchema, { body: { case: "linkUpdate", value: { joinSecret: newJoinSecret } } })), random)
      : new Uint8Array(0);
    // A large room's update goes out in several messages with the same key id, each under the room's message limit
    // (as the C# client does: at most 40,000 bytes of sealed keys each); every member finds its key in one of them.
    let part: typeof keys = [];
    let partBytes = 0;
    for (const sealed of keys) {
      const size = toBinary(SealedRoomKeySchema, sealed).length + 4;
      if (part.length > 0 && partBytes + size > KEY_UPDATE_BUDGET_BYTES) {
        await this.sendPlaintext(room, { case: "keyUpdate", value: { $typeName: "purr.v1.RoomKeyUpdate", keyId: newKeyId, keys: part, link } }, null);
        part = [];
        partBytes = 0;
      }
      part.push(sealed);
      partBytes += size;
    }
    await this.sendPlaintext(room, { case: "keyUpdate", value: { $typeName: "purr.v1.RoomKeyUpdate", keyId: newKeyId, keys: part, link } }, null);
    room.keys[toHex(newKeyId)] = newKey;
    room.currentKeyId = toHex(newKeyId);
    room.membersRemovedSinceKey = false;
    room.awaitingKey = [];
    await this.client.save();
  }

  /**
   * Seals the current key to members who joined after it was set (they hold only the link's key), in a whisper to
   * each (a group message would be encrypted under the very key they lack). Nothing to do while it is the link's key.
   */
  private async shareCurrentKey(room: RoomRecord): Promise<void> {
    const awaiting = room.awaitingKey ?? [];
    if (awaiting.length === 0) return;
    if (room.currentKeyId === toHex(initialKeyId(parseRoomLink(room.link).roomKey))) {
      room.awaitingKey = [];
      return;
    }
    const key = room.keys[room.currentKeyId]!;
    const keyId = fromHex(room.currentKeyId);
    let newcomers = (this.members.get(room.id) ?? []).filter(m => awaiting.includes(toHex(m.memberKey)));
    if (newcomers.length < awaiting.length) {
      // The member list may not be loaded yet (a page reloaded): ask the server before deciding who is gone.
      await this.fetchMembers(room);
      newcomers = (this.members.get(room.id) ?? []).filter(m => awaiting.includes(toHex(m.memberKey)));
    }
    for (const member of newcomers) {
      const keys = [sealKeyFor(fromHex(room.id), member, key, this.client.random)];
      await this.sendPlaintext(room, { case: "keyUpdate", value: { $typeName: "purr.v1.RoomKeyUpdate", keyId, keys, link: new Uint8Array(0) } }, member.memberKey);
      room.awaitingKey = (room.awaitingKey ?? []).filter(k => k !== toHex(member.memberKey));
    }
    // Anyone awaiting who is no longer a member needs nothing.
    room.awaitingKey = (room.awaitingKey ?? []).filter(k => newcomers.some(m => toHex(m.memberKey) === k));
    await this.client.save();
  }

  private async sendPlaintext(room: RoomRecord, body: RoomPlaintext["body"], to: Uint8Array | null, record = false): Promise<void> {
    if (to === null && room.membersRemovedSinceKey && body.case !== "keyUpdate") {
      // Someone left since the current key was set: they must not read what follows.
      await this.rotateKey(room);
    } else if (to === null && body.case !== "keyUpdate") {
      await this.shareCurrentKey(room);
    }
    const plaintext = this.plaintext(room, body);
    if (body.case === "text") plaintext.disappearAfter = room.disappearAfter ?? 0;
    const roomId = fromHex(room.id);
    let ciphertext: Uint8Array;
    if (to) {
      let target = (this.members.get(room.id) ?? []).find(m => equalBytes(m.memberKey, to));
      if (!target) {
        await this.fetchMembers(room);
        target = (this.members.get(room.id) ?? []).find(m => equalBytes(m.memberKey, to));
      }
      if (!target) throw new Error("that member is not in the room");
      ciphertext = sealToMember(roomId, target.memberDhKey, toBinary(RoomPlaintextSchema, plaintext), this.client.random);
    } else {
      ciphertext = this.encryptGroup(room, plaintext);
    }
    const memberKey = signingKeyFromSeed(room.memberKeySeed);
    const signature = sign(memberKey, roomMessage(roomId, to ?? new Uint8Array(0), ciphertext));
    await this.roomRequest(room, "roomSend", { ciphertext, signature, to: to ?? new Uint8Array(0) });
    if (record && body.case === "text") {
      const sender = to ? `${room.displayName} → ${this.nameOf(room, toHex(to))}` : room.displayName;
      const expiresAt = expiryOf(this.client.now(), plaintext.disappearAfter);
      appendMessage(room.messages, { id: toHex(plaintext.messageId), mine: true, text: body.value, sentAt: Number(plaintext.sentAt), sender, whisper: !!to, ...(expiresAt ? { expiresAt } : {}) });
      await this.client.save();
    }
  }

  private plaintext(room: RoomRecord, body: RoomPlaintext["body"]): RoomPlaintext {
    return create(RoomPlaintextSchema, { messageId: this.client.random.bytes(16), sentAt: BigInt(this.client.now()), senderName: room.displayName, body });
  }

  private encryptGroup(room: RoomRecord, plaintext: RoomPlaintext): Uint8Array {
    return encryptGroup(fromHex(room.id), fromHex(room.currentKeyId), room.keys[room.currentKeyId]!, toBinary(RoomPlaintextSchema, plaintext), this.client.random);
  }

  private decryptGroup(room: RoomRecord, ciphertext: Uint8Array): RoomPlaintext | null {
    const opened = decryptGroup(fromHex(room.id), ciphertext, keyId => room.keys[toHex(keyId)]);
    return opened ? parsePlaintext(opened) : null;
  }

  private async end(room: RoomRecord, text: string): Promise<void> {
    room.ended = true;
    this.notice(room, text);
    this.members.delete(room.id);
    await this.client.save();
  }

  private notice(room: RoomRecord, text: string): void {
    appendMessage(room.messages, { id: "n-" + toHex(this.client.random.bytes(8)), mine: false, text, sentAt: this.client.now(), notice: true });
    this.client.emit({ kind: "changed" });
  }

  private roomRequest<K extends "subscribeRoom" | "roomKick" | "roomLeave" | "roomStop" | "roomMembers" | "roomConfigure" | "roomSetRole" | "roomSend">(
    room: RoomRecord, kind: K, fields: Record<string, unknown>,
  ) {
    const memberKey = signingKeyFromSeed(room.memberKeySeed).publicKey;
    return this.client.requestAt(this.serverOf(room), { case: kind, value: { roomId: fromHex(room.id), memberKey, ...fields } } as never, this.signerFor(room.memberKeySeed));
  }

  /** The server the room lives on (its link says). */
  private serverOf(room: RoomRecord): string {
    return parseRoomLink(room.link).invite.server;
  }

  private signerFor(memberKeySeed: Uint8Array): Signer {
    const key = signingKeyFromSeed(memberKeySeed);
    return (bytes, nonce) => sign(key, memberRequest(nonce, bytes));
  }

  private require(id: string): RoomRecord {
    const room = this.find(id);
    if (!room || room.ended) throw new Error("that room has ended");
    return room;
  }
}

/** A persistent room's own mailbox proves itself on create and join: its recipient key signs the same request. */
function mailboxSignerFor(mailbox: MailboxRecord | null): Signer | undefined {
  if (!mailbox) return undefined;
  const key = signingKeyFromSeed(mailbox.recipientKeySeed);
  return (bytes, nonce) => sign(key, recipientRequest(nonce, bytes));
}

function parsePlaintext(bytes: Uint8Array): RoomPlaintext | null {
  try {
    return fromBinary(RoomPlaintextSchema, bytes);
  } catch {
    return null;
  }
}

/** The same link with another join secret (after a kick): server, room id, kind, name and room key stay. */
function withJoinSecret(link: string, joinSecret: Uint8Array): string {
  const parsed = parseRoomLink(link);
  return formatRoomLink({ invite: create(RoomInviteSchema, { ...parsed.invite, joinSecret }), roomKey: parsed.roomKey });
}
