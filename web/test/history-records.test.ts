// The browser's history records (PROTOCOL.md 9, "Browser history"): sealed one by one, found by an opaque chat tag,
// opened only with the profile's key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, randomBytes } from "../src/crypto/sodium";
import { chatTag, historyKey, openEntry, sealEntry } from "../src/app/history-records";
import { toHex, utf8 } from "../src/protocol/bytes";

test("a record opens to the same message under its key, and to nothing under another or when altered", async () => {
  await ready;
  const key = historyKey(randomBytes(32));
  const message = { id: "0a0b", mine: false, text: "see you at noon", sentAt: 1_790_000_000, sender: "Bob", whisper: true, expiresAt: 1_790_000_060 };
  const sealed = sealEntry(key, { chat: "r:00ff", message });
  assert.deepEqual(openEntry(key, sealed), { chat: "r:00ff", message: { ...message, stored: true } });
  assert.equal(openEntry(historyKey(randomBytes(32)), sealed), null);
  const altered = sealed.slice();
  altered[altered.length - 1]! ^= 1;
  assert.equal(openEntry(key, altered), null);
  assert.equal(openEntry(key, sealed.subarray(0, 30)), null);
  assert.equal(new TextDecoder().decode(sealed).includes("noon"), false, "the text is not in the record");
});

test("chat tags tell chats apart, reveal neither id nor name, and differ between profiles", async () => {
  await ready;
  const key = historyKey(randomBytes(32));
  const tag = chatTag(key, "c:0123456789abcdef");
  assert.equal(tag.length, 16);
  assert.notDeepEqual(tag, chatTag(key, "c:0123456789abcdee"));
  assert.notDeepEqual(tag, chatTag(historyKey(randomBytes(32)), "c:0123456789abcdef"));
  assert.equal(toHex(tag).includes("0123456789abcdef"), false);
  assert.equal(historyKey(utf8("k".repeat(32))).length, 32);
});
