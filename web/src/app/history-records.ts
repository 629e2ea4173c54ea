// The browser's history records (PROTOCOL.md 9, "Browser history"): each message sealed on its own under the history
// key the CLI derives too (HKDF-SHA256(profile key, info "purr/v1 history")), with an opaque per-chat tag to find a
// chat's records without opening all of them. Pure functions; history-store.ts keeps them in IndexedDB.
import { aeadDecrypt, aeadEncrypt, blake2bKeyed, hkdfSha256, randomBytes } from "../crypto/sodium";
import { concat, utf8 } from "../protocol/bytes";
import type { ChatMessage } from "./model";

/** The associated data of every record: the CLI's history header for an encrypted profile. */
const AD = concat(utf8("PURRHIS1"), Uint8Array.of(1));

export const historyKey = (profileKey: Uint8Array): Uint8Array => hkdfSha256(profileKey, new Uint8Array(0), utf8("purr/v1 history"), 32);

/** Which chat a record belongs to, as anyone reading the database sees it: 16 bytes that reveal no name or id. */
export const chatTag = (key: Uint8Array, chatId: string): Uint8Array => blake2bKeyed(utf8("purr/v1 history chat " + chatId), 16, key);

/** A stored message: the chat (a contact's or room's id) and the message as the screen shows it. */
export interface HistoryMessage { chat: string; message: ChatMessage }

interface Entry { c: string; o: boolean; t: string; at: number; id: string; s?: string; n?: boolean; w?: boolean; x?: number }

export function sealEntry(key: Uint8Array, { chat, message: m }: HistoryMessage): Uint8Array {
  const entry: Entry = { c: chat, o: m.mine, t: m.text, at: m.sentAt, id: m.id };
  if (m.sender) entry.s = m.sender;
  if (m.notice) entry.n = true;
  if (m.whisper) entry.w = true;
  if (m.expiresAt) entry.x = m.expiresAt;
  const nonce = randomBytes(24);
  return concat(nonce, aeadEncrypt(key, nonce, utf8(JSON.stringify(entry)), AD));
}

/** Null for a record that does not open under this key or does not read as an entry (skipped, never fatal). */
export function openEntry(key: Uint8Array, sealed: Uint8Array): HistoryMessage | null {
  if (sealed.length < 24 + 16) return null;
  const plain = aeadDecrypt(key, sealed.subarray(0, 24), sealed.subarray(24), AD);
  if (!plain) return null;
  try {
    const e = JSON.parse(new TextDecoder().decode(plain)) as Entry;
    if (typeof e.c !== "string" || typeof e.t !== "string" || typeof e.id !== "string" || typeof e.at !== "number") return null;
    const message: ChatMessage = { id: e.id, mine: e.o === true, text: e.t, sentAt: e.at, stored: true };
    if (typeof e.s === "string") message.sender = e.s;
    if (e.n === true) message.notice = true;
    if (e.w === true) message.whisper = true;
    if (typeof e.x === "number") message.expiresAt = e.x;
    return { chat: e.c, message };
  } catch {
    return null;
  }
}
