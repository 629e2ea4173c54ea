// A profile carried between the browser and the purr tool (PROTOCOL.md section 9, "Portable profiles"): the CLI's
// profile JSON (PascalCase names, byte strings as padded standard base64, times as ISO 8601) plus "History", the
// chats' messages as the CLI's history entries. The browser keeps its own JSON at rest; these two functions translate.
// An import's chats hold every message; the caller moves them to the history store and keeps the newest in the profile.
import type { RatchetState } from "../crypto/ratchet";
import { randomBytes } from "../crypto/sodium";
import { fromBase64Url, fromHex, toBase64Url, toHex } from "../protocol/bytes";
import { sameServer } from "../protocol/address";
import { parseRoomLink } from "../rooms/room-link";
import { initialKeyId } from "../rooms/room-crypto";
import { normalizeTimer } from "./disappearing";
import { SEEN_IDS_KEPT, type ChatMessage, type ContactDevices, type ContactRecord, type MailboxRecord, type ProfileData, type RoomRecord } from "./model";

type Json = Record<string, unknown>;

/** A portable file the browser cannot use: damaged, of another version, or missing what a profile needs. */
export class PortableProfileError extends Error {}

const b64 = (bytes: Uint8Array): string => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};

function bytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new PortableProfileError(`the file's ${what} is not base64`);
  try {
    return Uint8Array.from(atob(value), c => c.charCodeAt(0));
  } catch {
    throw new PortableProfileError(`the file's ${what} is not base64`);
  }
}

const maybeBytes = (value: unknown, what: string): Uint8Array | null => (value === null || value === undefined ? null : bytes(value, what));
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v): v is Json => !!v && typeof v === "object") : []);
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const seconds = (value: unknown): number => {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
};
const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
const newId = (length: number) => toHex(randomBytes(length));

/** The CLI's rule for a contact name made from a display name: letters and digits, lower case, unique (Messenger.FreeContactName). */
function freeName(displayName: string, taken: Set<string>): string {
  const wanted = Array.from(displayName).filter(c => /[\p{L}\p{N}]/u.test(c)).slice(0, 32).join("").toLowerCase() || "contact";
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}${i}`;
  taken.add(name);
  return name;
}

// ---- browser → portable ----

export function toPortableJson(data: ProfileData): string {
  const mailbox = (m: MailboxRecord): Json => ({
    Server: m.server ?? data.server, ReceiveId: b64(m.receiveId), SendId: b64(m.sendId), RecipientKeySeed: b64(m.recipientKeySeed), Retiring: false,
    ...(m.mailboxKey ? { MailboxKey: b64(m.mailboxKey) } : {}),
  });
  const taken = new Set<string>();
  const contactNames = new Map(data.contacts.map(c => [c.id, freeName(c.displayName, taken)]));
  const history: Json[] = [];
  const contacts = data.contacts.map(c => {
    const name = contactNames.get(c.id)!;
    for (const m of c.messages.filter(m => !m.notice)) history.push({ c: name, o: m.mine, t: m.text, at: m.sentAt, id: m.id, ...(m.expiresAt ? { x: m.expiresAt } : {}) });
    return {
      Name: name, DisplayName: c.displayName, MyIdentitySeed: b64(c.myIdentitySeed), TheirIdentityKey: b64(c.theirIdentityKey),
      Session: ratchetToPortable(c.state), AssociatedData: b64(c.ad), Inbox: c.inbox.map(mailbox),
      Outbox: c.outbox ? { Server: c.outbox.server ?? data.server, SendId: b64(c.outbox.sendId), SenderKeySeed: b64(c.outbox.senderKeySeed) } : null,
      TheirSenderKey: c.theirSenderKey ? b64(c.theirSenderKey) : null, Verified: c.verified, RetireOldInbox: false,
      SeenMessageIds: c.seen, Delivered: c.messages.filter(m => m.mine && m.delivered).map(m => m.id).slice(-SEEN_IDS_KEPT),
      SharePresence: c.sharePresence ?? true, PresenceInbox: c.presenceInbox ? mailbox(c.presenceInbox) : null,
      PresenceInboxKey: b64(c.presenceInboxKey ?? new Uint8Array(0)),
      PresenceOutbox: c.presenceOutbox ? { Server: c.presenceOutbox.server ?? data.server, SendId: b64(c.presenceOutbox.sendId), Key: b64(c.presenceOutbox.key) } : null,
      DisappearAfterSeconds: c.disappearAfter ?? 0,
      ...(c.route ? { Route: c.route } : {}),
      ...(c.devices ? { Devices: devicesToPortable(c.devices, data.server) } : {}),
    };
  });
  const rooms = data.rooms.filter(r => !r.ended).map(r => ({
    Name: roomName(r, taken, history),
    State: {
      Link: r.link, DisplayName: r.displayName, MemberKeySeed: b64(r.memberKeySeed), DhSecret: b64(r.dhSecret), KemSeed: r.kemSeed ? b64(r.kemSeed) : null,
      Keys: Object.fromEntries(Object.entries(r.keys).map(([id, key]) => [id, b64(key)])), CurrentKeyId: b64(fromHex(r.currentKeyId)), Names: r.names,
      Mailbox: r.mailbox ? { ReceiveId: b64(r.mailbox.receiveId), SendId: b64(r.mailbox.sendId), LifetimeSeconds: 0, Quota: 0 } : null,
      MailboxKeySeed: r.mailbox ? b64(r.mailbox.recipientKeySeed) : null, MembersRemovedSinceKey: r.membersRemovedSinceKey, KnownMembers: [],
      AwaitingKey: r.awaitingKey ?? [], DisappearAfterSeconds: r.disappearAfter ?? 0,
    },
  }));
  const registration = data.registration;
  const portable = {
    Version: 1, Server: data.server, DisplayName: data.displayName,
    ...(data.deviceId ? { DeviceId: data.deviceId } : {}), ...(data.deviceName ? { DeviceName: data.deviceName } : {}),
    Invites: data.invites.map(i => ({
      Name: freeName(i.label || "invite", taken), CardLink: i.cardLink, DisplayName: i.displayName, IdentitySeed: b64(i.identitySeed),
      IdentityDhSecret: b64(i.identityDhSecret), PrekeySecret: b64(i.prekeySecret), KemSeed: b64(i.kemSeed ?? new Uint8Array(0)),
      Mailbox: mailbox(i.mailbox), ExpiresAt: iso(i.expiresAt), Requested: i.requested ?? false,
    })),
    Address: data.address ? {
      Link: data.address.link, AddressKeySeed: b64(data.address.addressKeySeed), RequestKeySecret: b64(data.address.requestKeySecret),
      RequestKemSeed: b64(data.address.requestKemSeed ?? new Uint8Array(0)), Mailbox: mailbox(data.address.mailbox), DisplayName: data.displayName,
      AutoAccept: data.address.autoAccept, Handle: data.address.handle ?? null,
    } : null,
    Requests: (data.requests ?? []).map(r => ({ Id: r.id, CardLink: r.cardLink, DisplayName: r.displayName, Message: r.message, ReceivedAt: iso(r.receivedAt), Tag: b64(r.tag ?? new Uint8Array(0)) })),
    Contacts: contacts, Rooms: rooms, RoomTagSecret: b64(data.roomTagSecret ?? new Uint8Array(0)),
    PresenceEnabled: data.presence?.enabled ?? false, Presence: data.presence?.status ?? 1, PresenceText: data.presence?.text ?? "",
    UsedCards: data.usedCards, SeenBroadcasts: [],
    Registrations: registration ? [{
      Server: data.server, ServerPassword: registration.serverPassword ?? null, AccountName: registration.accountName ?? null,
      AccountPassword: registration.accountPassword ?? null, InviteSecret: registration.inviteSecret ? b64(registration.inviteSecret) : null,
      InviteTokensLeft: registration.inviteTokensLeft ?? null,
      Tokens: registration.tokens.map(t => ({ KeyId: b64(t.keyId), Nonce: b64(t.nonce), Signature: b64(t.signature) })),
    }] : [],
    Isolation: null,
    History: history,
  };
  return JSON.stringify(portable);
}

/** A room's portable name, and its texts into the history (room entries: "r" true, the sender's name in "f"). */
function roomName(room: RoomRecord, taken: Set<string>, history: Json[]): string {
  const name = freeName(room.title || room.topic || "room", taken);
  for (const m of room.messages.filter(m => !m.notice)) {
    history.push({ c: name, o: m.mine, t: m.text, at: m.sentAt, id: m.id, r: true, ...(!m.mine && m.sender ? { f: m.whisper ? `${m.sender} (whisper)` : m.sender } : {}), ...(m.expiresAt ? { x: m.expiresAt } : {}) });
  }
  return name;
}

/** A contact's devices as the CLI keeps them (PROTOCOL.md 9, 10.10): cards as base64url text, versions as numbers. */
function devicesToPortable(d: ContactDevices, pageServer: string): Json {
  const cards = (entries: { deviceId: number; card: Uint8Array }[]) => entries.map(e => ({ DeviceId: e.deviceId, Card: toBase64Url(e.card) }));
  return {
    TheirDevices: d.peers.map(p => ({
      DeviceId: p.deviceId, Sessions: p.sessions.map(x => ({ State: ratchetToPortable(x.state), AssociatedData: b64(x.ad) })),
      Server: p.server ?? pageServer, SendId: b64(p.sendId), IdentityDhKey: b64(p.identityDhKey),
    })),
    TheirListVersion: Number(d.theirListVersion), Theirs: cards(d.theirs), Mine: cards(d.mine), MyListVersion: Number(d.myListVersion),
    ...(d.myKeys ? { MyKeys: { IdentityDhSecret: b64(d.myKeys.identityDhSecret), PrekeySecret: b64(d.myKeys.prekeySecret), KemSeed: b64(d.myKeys.kemSeed), Card: toBase64Url(d.myKeys.card) } } : {}),
    OffersSeen: d.offersSeen,
  };
}

function devicesFromPortable(d: Json, elsewhere: (server: unknown) => { server?: string }): ContactDevices {
  const card = (value: unknown) => {
    const bytes = typeof value === "string" ? fromBase64Url(value) : null;
    if (!bytes) throw new PortableProfileError("the file's device card is not base64url");
    return bytes;
  };
  const id = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0);
  const version = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value >= 0 ? String(value) : "0");
  const cards = (value: unknown) => list(value).map(e => ({ deviceId: id(e.DeviceId), card: card(e.Card) }));
  const keys = d.MyKeys && typeof d.MyKeys === "object" ? d.MyKeys as Json : null;
  return {
    peers: list(d.TheirDevices).map(p => ({
      deviceId: id(p.DeviceId), sessions: list(p.Sessions).map(x => ({ state: ratchetFromPortable((x.State ?? {}) as Json), ad: bytes(x.AssociatedData, "session") })),
      sendId: bytes(p.SendId, "device inbox"), ...elsewhere(p.Server), identityDhKey: bytes(p.IdentityDhKey ?? "", "device key"),
    })),
    theirs: cards(d.Theirs), theirListVersion: version(d.TheirListVersion), mine: cards(d.Mine), myListVersion: version(d.MyListVersion),
    ...(keys ? { myKeys: { identityDhSecret: bytes(keys.IdentityDhSecret, "device keys"), prekeySecret: bytes(keys.PrekeySecret, "device keys"), kemSeed: bytes(keys.KemSeed, "device keys"), card: card(keys.Card) } } : {}),
    offersSeen: Array.isArray(d.OffersSeen) ? d.OffersSeen.filter((o): o is string => typeof o === "string") : [],
  };
}

function ratchetToPortable(s: RatchetState): Json {
  const nb = (v: Uint8Array | null | undefined) => (v ? b64(v) : null);
  return {
    RootKey: b64(s.rootKey), DhSendSecret: b64(s.dhSendSecret), DhSendPublic: b64(s.dhSendPublic), DhReceive: nb(s.dhReceive),
    ChainSend: nb(s.chainSend), ChainReceive: nb(s.chainReceive), HeaderSend: nb(s.headerSend), HeaderReceive: nb(s.headerReceive),
    NextHeaderSend: b64(s.nextHeaderSend), NextHeaderReceive: b64(s.nextHeaderReceive), SendCount: s.sendCount, ReceiveCount: s.receiveCount,
    PreviousSendCount: s.previousSendCount, KemEnabled: s.kemEnabled ?? false, PostQuantum: s.postQuantum ?? false,
    KemSendSeed: nb(s.kemSendSeed), KemSendPublic: nb(s.kemSendPublic), KemCiphertext: nb(s.kemCiphertext),
    Skipped: s.skipped.map(k => ({ HeaderKey: b64(k.headerKey), Number: k.number, MessageKey: b64(k.messageKey) })),
    RetiredHeaderKeys: s.retiredHeaderKeys.map(b64),
  };
}

// ---- portable → browser ----

/**
 * The browser's profile from a portable file's JSON, on the page's server `pageServer`: that server becomes the
 * profile's home; mailboxes on other servers keep their server and are reached through it (PROTOCOL.md 15.6).
 */
export function fromPortableJson(json: string, pageServer: string): ProfileData {
  let root: Json;
  try {
    root = JSON.parse(json) as Json;
  } catch {
    throw new PortableProfileError("the file holds no readable profile");
  }
  if (!root || typeof root !== "object" || root.Version !== 1) throw new PortableProfileError("the file holds a profile of another version");
  const elsewhere = (server: unknown): { server?: string } => (typeof server === "string" && !sameServer(server, pageServer) ? { server } : {});
  // A mailbox key (PROTOCOL.md 4) comes along when it is one; otherwise the next connection fetches it again.
  const mailboxKey = (value: unknown): { mailboxKey?: Uint8Array } => {
    const key = maybeBytes(value, "mailbox key");
    return key?.length === 32 ? { mailboxKey: key } : {};
  };
  const mailbox = (m: Json): MailboxRecord => ({
    receiveId: bytes(m.ReceiveId, "mailbox"), sendId: bytes(m.SendId, "mailbox"), recipientKeySeed: bytes(m.RecipientKeySeed, "mailbox key"),
    ...elsewhere(m.Server), ...mailboxKey(m.MailboxKey),
  });
  const history = list(root.History);
  const messagesOf = (name: string, delivered: Set<string>, room = false): ChatMessage[] => history
    .filter(e => e.c === name && (e.r === true) === room && typeof e.t === "string" && typeof e.id === "string")
    .map(e => ({
      id: e.id as string, mine: e.o === true, text: e.t as string, sentAt: typeof e.at === "number" ? e.at : 0,
      ...(e.o === true && delivered.has(e.id as string) ? { delivered: true } : {}), ...(typeof e.x === "number" ? { expiresAt: e.x } : {}),
      ...(typeof e.f === "string" ? { sender: e.f } : {}),
    }));

  const contacts: ContactRecord[] = list(root.Contacts).map(c => {
    const name = text(c.Name);
    const outbox = c.Outbox && typeof c.Outbox === "object" ? c.Outbox as Json : null;
    const presenceOutbox = c.PresenceOutbox && typeof c.PresenceOutbox === "object" ? c.PresenceOutbox as Json : null;
    const theirSenderKey = maybeBytes(c.TheirSenderKey, "contact's sender key");
    const presenceInboxKey = maybeBytes(c.PresenceInboxKey, "presence key");
    const route = typeof c.Route === "string" && (c.Route.startsWith("hops:") || c.Route.startsWith("through:")) ? c.Route : undefined;
    const displayName = text(c.DisplayName);
    return {
      id: newId(8), displayName: displayName && displayName !== "contact" ? displayName : name || "contact",
      myIdentitySeed: bytes(c.MyIdentitySeed, "identity"), theirIdentityKey: bytes(c.TheirIdentityKey, "contact's identity"),
      state: ratchetFromPortable((c.Session ?? {}) as Json), ad: bytes(c.AssociatedData, "session"),
      inbox: list(c.Inbox).map(mailbox),
      outbox: outbox ? { sendId: bytes(outbox.SendId, "outbox"), senderKeySeed: bytes(outbox.SenderKeySeed, "outbox key"), ...elsewhere(outbox.Server) } : null,
      theirSenderKey, established: theirSenderKey !== null, verified: c.Verified === true,
      seen: (Array.isArray(c.SeenMessageIds) ? c.SeenMessageIds.filter((s): s is string => typeof s === "string") : []).slice(-SEEN_IDS_KEPT),
      messages: messagesOf(name, new Set(Array.isArray(c.Delivered) ? c.Delivered.filter((s): s is string => typeof s === "string") : [])),
      unread: 0,
      ...(route ? { route } : {}),
      ...(typeof c.DisappearAfterSeconds === "number" && c.DisappearAfterSeconds > 0 ? { disappearAfter: normalizeTimer(c.DisappearAfterSeconds) } : {}),
      sharePresence: c.SharePresence !== false,
      ...(c.PresenceInbox && typeof c.PresenceInbox === "object" ? { presenceInbox: mailbox(c.PresenceInbox as Json) } : {}),
      ...(presenceInboxKey && presenceInboxKey.length > 0 ? { presenceInboxKey } : {}),
      ...(presenceOutbox ? { presenceOutbox: { sendId: bytes(presenceOutbox.SendId, "presence outbox"), key: bytes(presenceOutbox.Key, "presence outbox key"), ...elsewhere(presenceOutbox.Server) } } : {}),
      ...(c.Devices && typeof c.Devices === "object" ? { devices: devicesFromPortable(c.Devices as Json, elsewhere) } : {}),
    };
  });

  const rooms: RoomRecord[] = list(root.Rooms).map(r => ({ ...roomFromPortable(r, (r.State ?? {}) as Json, pageServer), messages: messagesOf(text(r.Name), new Set(), true) }));
  const address = root.Address && typeof root.Address === "object" ? root.Address as Json : null;
  const addressKem = address ? maybeBytes(address.RequestKemSeed, "address") : null;
  const registration = list(root.Registrations).find(r => typeof r.Server === "string" && sameServer(r.Server, pageServer));
  const inviteSecret = registration ? maybeBytes(registration.InviteSecret, "invite") : null;
  const tagSecret = maybeBytes(root.RoomTagSecret, "room tag secret");
  const data: ProfileData = {
    version: 1, server: pageServer, displayName: text(root.DisplayName),
    invites: list(root.Invites).map(i => {
      const kemSeed = maybeBytes(i.KemSeed, "card");
      return {
        id: newId(8), label: text(i.Name), cardLink: text(i.CardLink), displayName: text(i.DisplayName),
        identitySeed: bytes(i.IdentitySeed, "card"), identityDhSecret: bytes(i.IdentityDhSecret, "card"), prekeySecret: bytes(i.PrekeySecret, "card"),
        kemSeed: kemSeed && kemSeed.length > 0 ? kemSeed : null, mailbox: mailbox((i.Mailbox ?? {}) as Json), expiresAt: seconds(i.ExpiresAt),
        ...(i.Requested === true ? { requested: true } : {}),
      };
    }),
    contacts, usedCards: Array.isArray(root.UsedCards) ? root.UsedCards.filter((s): s is string => typeof s === "string") : [], rooms,
    requests: list(root.Requests).map(r => {
      const tag = maybeBytes(r.Tag, "request");
      return { id: text(r.Id), cardLink: text(r.CardLink), displayName: text(r.DisplayName), message: text(r.Message), receivedAt: seconds(r.ReceivedAt), ...(tag && tag.length === 32 ? { tag } : {}) };
    }),
  };
  if (address) {
    data.address = {
      link: text(address.Link), addressKeySeed: bytes(address.AddressKeySeed, "address"), requestKeySecret: bytes(address.RequestKeySecret, "address"),
      ...(addressKem && addressKem.length > 0 ? { requestKemSeed: addressKem } : {}),
      mailbox: mailbox((address.Mailbox ?? {}) as Json), autoAccept: address.AutoAccept === true,
      ...(typeof address.Handle === "string" ? { handle: address.Handle } : {}),
    };
  }
  if (root.PresenceEnabled === true) data.presence = { enabled: true, status: typeof root.Presence === "number" ? root.Presence : 1, text: text(root.PresenceText) };
  if (tagSecret && tagSecret.length === 32) data.roomTagSecret = tagSecret;
  if (typeof root.DeviceId === "number" && Number.isInteger(root.DeviceId) && root.DeviceId > 0) data.deviceId = root.DeviceId;
  if (typeof root.DeviceName === "string" && root.DeviceName.length > 0) data.deviceName = root.DeviceName;
  if (registration) {
    data.registration = {
      ...(typeof registration.ServerPassword === "string" ? { serverPassword: registration.ServerPassword } : {}),
      ...(typeof registration.AccountName === "string" ? { accountName: registration.AccountName } : {}),
      ...(typeof registration.AccountPassword === "string" ? { accountPassword: registration.AccountPassword } : {}),
      ...(inviteSecret ? { inviteSecret } : {}),
      ...(typeof registration.InviteTokensLeft === "number" ? { inviteTokensLeft: registration.InviteTokensLeft } : {}),
      tokens: list(registration.Tokens).map(t => ({ keyId: bytes(t.KeyId, "token"), nonce: bytes(t.Nonce, "token"), signature: bytes(t.Signature, "token") })),
    };
  }
  return data;
}

function roomFromPortable(record: Json, s: Json, pageServer: string): RoomRecord {
  const link = parseRoomLink(text(s.Link));
  const currentKeyId = maybeBytes(s.CurrentKeyId, "room key id");
  const roomMailbox = s.Mailbox && typeof s.Mailbox === "object" ? s.Mailbox as Json : null;
  const mailboxKey = maybeBytes(s.MailboxKeySeed, "room mailbox key");
  const kemSeed = maybeBytes(s.KemSeed, "room key");
  const keys: Record<string, Uint8Array> = {};
  for (const [id, key] of Object.entries((s.Keys ?? {}) as Json)) keys[id] = bytes(key, "room key");
  const names: Record<string, string> = {};
  for (const [member, name] of Object.entries((s.Names ?? {}) as Json)) if (typeof name === "string") names[member] = name;
  const server = link.invite.server;
  return {
    id: toHex(link.invite.roomId), link: text(s.Link), title: link.invite.name.slice(0, 64) || text(record.Name),
    displayName: text(s.DisplayName), memberKeySeed: bytes(s.MemberKeySeed, "room member key"), dhSecret: bytes(s.DhSecret, "room member key"),
    ...(kemSeed && kemSeed.length > 0 ? { kemSeed } : {}),
    keys, currentKeyId: currentKeyId && currentKeyId.length > 0 ? toHex(currentKeyId) : toHex(initialKeyId(link.roomKey)), names,
    mailbox: roomMailbox && mailboxKey ? {
      receiveId: bytes(roomMailbox.ReceiveId, "room mailbox"), sendId: bytes(roomMailbox.SendId, "room mailbox"), recipientKeySeed: mailboxKey,
      ...(sameServer(server, pageServer) ? {} : { server }),
    } : null,
    topic: "", ended: false, membersRemovedSinceKey: s.MembersRemovedSinceKey === true,
    ...(Array.isArray(s.AwaitingKey) ? { awaitingKey: s.AwaitingKey.filter((m): m is string => typeof m === "string") } : {}),
    ...(typeof s.DisappearAfterSeconds === "number" && s.DisappearAfterSeconds > 0 ? { disappearAfter: normalizeTimer(s.DisappearAfterSeconds) } : {}),
    messages: [], unread: 0,
  };
}

function ratchetFromPortable(s: Json): RatchetState {
  const nb = (v: unknown) => maybeBytes(v, "session");
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 0);
  return {
    rootKey: bytes(s.RootKey, "session"), dhSendSecret: bytes(s.DhSendSecret, "session"), dhSendPublic: bytes(s.DhSendPublic, "session"),
    dhReceive: nb(s.DhReceive), chainSend: nb(s.ChainSend), chainReceive: nb(s.ChainReceive), headerSend: nb(s.HeaderSend), headerReceive: nb(s.HeaderReceive),
    nextHeaderSend: bytes(s.NextHeaderSend, "session"), nextHeaderReceive: bytes(s.NextHeaderReceive, "session"),
    sendCount: count(s.SendCount), receiveCount: count(s.ReceiveCount), previousSendCount: count(s.PreviousSendCount),
    skipped: list(s.Skipped).map(k => ({ headerKey: bytes(k.HeaderKey, "session"), number: count(k.Number), messageKey: bytes(k.MessageKey, "session") })),
    retiredHeaderKeys: (Array.isArray(s.RetiredHeaderKeys) ? s.RetiredHeaderKeys : []).map(k => bytes(k, "session")),
    kemEnabled: s.KemEnabled === true, postQuantum: s.PostQuantum === true,
    kemSendSeed: nb(s.KemSendSeed), kemSendPublic: nb(s.KemSendPublic), kemCiphertext: nb(s.KemCiphertext),
  };
}
