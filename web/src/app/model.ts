// The profile's contents. Kept in memory while unlocked and saved, encrypted, after every change
// that a later network step depends on (a ratchet step before its send, a message before its ack).
import type { RatchetState } from "../crypto/ratchet";
import { fromBase64Url, toBase64Url } from "../protocol/bytes";

/** The newest messages of each chat the profile itself keeps for the screen; all of them are in the history store. */
export const MESSAGES_KEPT = 200;
export const SEEN_IDS_KEPT = 512;

/** A mailbox of this profile; `server` absent: on the page's own server (else reached through it, PROTOCOL.md 15.6). */
/** `mailboxKey`: the server's key for the mailbox once fetched (PROTOCOL.md 4, "Mailbox keys"), proving it without a signature. */
export interface MailboxRecord { receiveId: Uint8Array; sendId: Uint8Array; recipientKeySeed: Uint8Array; server?: string; mailboxKey?: Uint8Array }

export interface ChatMessage {
  id: string;
  mine: boolean;
  text: string;
  sentAt: number;
  sender?: string;
  delivered?: boolean;
  whisper?: boolean;
  /** A line the client writes itself (joins, kicks, key changes), shown apart from what people said. */
  notice?: boolean;
  /** A disappearing message: deleted at this time (unix seconds; PROTOCOL.md 10.5). */
  expiresAt?: number;
  /** Already written to the history store (history-store.ts). */
  stored?: boolean;
}

export interface InviteRecord {
  id: string;
  label: string;
  cardLink: string;
  displayName: string;
  identitySeed: Uint8Array;
  identityDhSecret: Uint8Array;
  prekeySecret: Uint8Array;
  /** The seed of the card's ML-KEM-768 prekey; absent on a classic card made before post-quantum cards. */
  kemSeed?: Uint8Array | null;
  mailbox: MailboxRecord;
  expiresAt: number;
  /** This card went to someone's contact address as a request; it waits for them to accept. */
  requested?: boolean;
}

/** This profile's contact address (PROTOCOL.md 10.8). */
export interface AddressRecord {
  link: string;
  addressKeySeed: Uint8Array;
  requestKeySecret: Uint8Array;
  /** The seed of the address's ML-KEM-768 request key; absent on a classic address made before post-quantum ones. */
  requestKemSeed?: Uint8Array;
  mailbox: MailboxRecord;
  autoAccept: boolean;
  /** The handle registered for it on this server (lower case). */
  handle?: string;
}

/** A request that came through the address, until accepted or rejected. */
export interface ContactRequestRecord { id: string; cardLink: string; displayName: string; message: string; receivedAt: number; tag?: Uint8Array }

/** A session with one device of a contact (PROTOCOL.md 10.10). */
export interface DeviceSession { state: RatchetState; ad: Uint8Array }

/** A device of a contact: its sessions (the one in use first), its inbox for this profile and its X25519 identity key. */
export interface PeerDevice { deviceId: number; sessions: DeviceSession[]; sendId: Uint8Array; server?: string; identityDhKey: Uint8Array }

/** Devices on both sides of a contact (PROTOCOL.md 10.10); absent while both sides have one device each. */
export interface ContactDevices {
  peers: PeerDevice[];
  /** The contact's last signed list: device ids and cards (SignedCard bytes). */
  theirs: { deviceId: number; card: Uint8Array }[];
  theirListVersion: string;
  /** This profile's own list for the contact, as another device of it last published it (the browser publishes none yet). */
  mine: { deviceId: number; card: Uint8Array }[];
  myListVersion: string;
  /** This device's keys and card for the contact's devices to start sessions with. */
  myKeys?: { identityDhSecret: Uint8Array; prekeySecret: Uint8Array; kemSeed: Uint8Array; card: Uint8Array };
  offersSeen: string[];
}

/** Another device of this profile's person (PROTOCOL.md 10.10). */
export interface OwnDevice {
  deviceId: number;
  name: string;
  sessions: DeviceSession[];
  /** Its inbox for own devices (empty until known) and its server when not the page's own. */
  sendId: Uint8Array;
  server?: string;
  /** Its card in the list of own devices (SignedCard bytes; empty until known). */
  card: Uint8Array;
  /** The link was confirmed on the device that made it: only then does anything go to it. */
  confirmed: boolean;
  seen: string[];
}

export interface ContactRecord {
  id: string;
  displayName: string;
  myIdentitySeed: Uint8Array;
  theirIdentityKey: Uint8Array;
  state: RatchetState;
  ad: Uint8Array;
  inbox: MailboxRecord[];
  /** Where this profile sends to; `server` absent means the page's own server (older profiles, and most contacts). */
  outbox: { sendId: Uint8Array; senderKeySeed: Uint8Array; server?: string } | null;
  theirSenderKey: Uint8Array | null;
  established: boolean;
  verified: boolean;
  seen: string[];
  messages: ChatMessage[];
  unread: number;
  /** Disappearing messages in this chat: seconds after which each text is deleted on both sides; absent or 0 off. */
  disappearAfter?: number;
  /** How messages to a contact on another server travel: "via-home" (absent) or "hops:N" (app/routes.ts). */
  route?: string;
  /** Presence (PROTOCOL.md 10.9): whether this contact sees ours (default yes), our live-only channel for it, its channel. */
  sharePresence?: boolean;
  presenceInbox?: MailboxRecord;
  presenceInboxKey?: Uint8Array;
  presenceOutbox?: { sendId: Uint8Array; key: Uint8Array; server?: string };
  /** Devices (PROTOCOL.md 10.10); once present, every session is a device's and `state` is unused. */
  devices?: ContactDevices;
}

export interface RoomRecord {
  id: string;
  link: string;
  /** The room's name from its link (its creator's choice); profiles saved before it existed have none. */
  title?: string;
  displayName: string;
  memberKeySeed: Uint8Array;
  dhSecret: Uint8Array;
  /** The seed of this member's ML-KEM-768 key (room keys sealed to it use the hybrid); absent in rooms joined before. */
  kemSeed?: Uint8Array;
  keys: Record<string, Uint8Array>;
  currentKeyId: string;
  names: Record<string, string>;
  mailbox: MailboxRecord | null;
  topic: string;
  ended: boolean;
  membersRemovedSinceKey: boolean;
  /** Members (hex keys) who joined since the current key was set: the next group message seals it to them first. */
  awaitingKey?: string[];
  /** The room's disappearing-message timer as this member last learned it (seconds); absent or 0 off. */
  disappearAfter?: number;
  messages: ChatMessage[];
  unread: number;
}

/** What the page's server asks of each creation (PROTOCOL.md, "Registration"); the same fields as the CLI's profile. */
export interface RegistrationData {
  serverPassword?: string;
  accountName?: string;
  accountPassword?: string;
  /** The invite's secret, kept to redeem more tokens when these run out. */
  inviteSecret?: Uint8Array;
  inviteTokensLeft?: number;
  tokens: { keyId: Uint8Array; nonce: Uint8Array; signature: Uint8Array }[];
}

export interface ProfileData {
  version: 1;
  server: string;
  displayName: string;
  invites: InviteRecord[];
  contacts: ContactRecord[];
  usedCards: string[];
  rooms: RoomRecord[];
  /** Absent from profiles made before registration policies, and on open servers. */
  registration?: RegistrationData;
  address?: AddressRecord;
  requests?: ContactRequestRecord[];
  /** Presence is opt-in: absent or disabled until the person sets a status. 1 online, 2 away, 3 busy. */
  presence?: { enabled: boolean; status: number; text: string };
  /** The secret room join tags derive from (PROTOCOL.md 12, "Kicks, links and bans"); made on first use. */
  roomTagSecret?: Uint8Array;
  /** This device's id among the profile's devices (PROTOCOL.md 10.10); absent until it needs one. */
  deviceId?: number;
  deviceName?: string;
  /** Shared by the person's devices: the key their list of own devices is signed with, and the one they sign sends to each other's inboxes with. */
  deviceKeySeed?: Uint8Array;
  devicesSenderSeed?: Uint8Array;
  /** This browser's inbox for its own devices, its keys and card for them, the others, and their last signed list. */
  devicesInbox?: MailboxRecord;
  ownDeviceKeys?: { identityDhSecret: Uint8Array; prekeySecret: Uint8Array; kemSeed: Uint8Array; card: Uint8Array };
  ownDevices?: OwnDevice[];
  devicesVersion?: string;
  ownDevicesList?: Uint8Array;
  /** Parts of a transfer from another own device still incomplete. */
  syncChunks?: { transfer: string; index: number; count: number; data: Uint8Array }[];
}

export function newProfile(server: string, displayName: string): ProfileData {
  return { version: 1, server, displayName, invites: [], contacts: [], usedCards: [], rooms: [] };
}

/** Text from someone else (a request's note, a status), made safe to show: no control characters, bounded length. */
export function cleanText(text: string, max: number): string {
  return Array.from(text).filter(c => !/\p{Cc}/u.test(c)).slice(0, max).join("");
}

/** JSON with byte strings as {"$b": base64url}. */
export function serializeProfile(data: ProfileData): string {
  return JSON.stringify(data, (_key, value) => (value instanceof Uint8Array ? { $b: toBase64Url(value) } : value));
}

export function deserializeProfile(json: string): ProfileData {
  const data = JSON.parse(json, (_key, value) => {
    if (value && typeof value === "object" && !Array.isArray(value) && typeof value.$b === "string" && Object.keys(value).length === 1) {
      return fromBase64Url(value.$b) ?? new Uint8Array(0);
    }
    return value;
  }) as ProfileData;
  if (data.version !== 1 || typeof data.server !== "string") throw new Error("the stored profile has an unknown version");
  return data;
}

export function remember(list: string[], id: string, kept = SEEN_IDS_KEPT): void {
  list.push(id);
  if (list.length > kept) list.splice(0, list.length - kept);
}

export function appendMessage(list: ChatMessage[], message: ChatMessage): void {
  list.push(message);
  if (list.length > MESSAGES_KEPT) list.splice(0, list.length - MESSAGES_KEPT);
}

/** The messages no save has written to the history store yet, with their chats ("c:" or "r:" and the id); marks them stored. */
export function unstoredMessages(data: ProfileData): { chat: string; message: ChatMessage }[] {
  const fresh: { chat: string; message: ChatMessage }[] = [];
  const collect = (chat: string, messages: ChatMessage[]) => {
    for (const message of messages) {
      if (message.stored) continue;
      message.stored = true;
      fresh.push({ chat, message: { ...message } });
    }
  };
  for (const c of data.contacts) collect(`c:${c.id}`, c.messages);
  for (const r of data.rooms) collect(`r:${r.id}`, r.messages);
  return fresh;
}
