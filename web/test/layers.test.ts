// Behaviour of the browser's own layers that the vectors do not pin down: failures leave state
// untouched, formats round-trip, bad input is refused with a clear error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { EnvelopeSchema, MailboxAddressSchema } from "../src/gen/purr/v1/contacts_pb";
import { ready, signingKeyFromSeed } from "../src/crypto/sodium";
import { SeededRandom, systemRandom } from "../src/crypto/random";
import { pad, unpad, paddedLength } from "../src/crypto/padding";
import { cloneState, MAX_SKIP } from "../src/crypto/ratchet";
import { createCard, generateCardSecrets, parseCard } from "../src/e2e/card";
import { initiateContact, respondToContact } from "../src/e2e/handshake";
import { open, seal } from "../src/e2e/session";
import { parseAddress, formatAddress, sameServer } from "../src/protocol/address";
import { fromBase64Url, toBase64Url, utf8 } from "../src/protocol/bytes";
import { decryptGroup, encryptGroup, initialKeyId, openSealed, sealToMember } from "../src/rooms/room-crypto";
import { parseRoomLink } from "../src/rooms/room-link";
import { newProfileKey, openProfile, sealProfile, WrongPassphraseError } from "../src/app/profile-file";
import { deserializeProfile, newProfile, serializeProfile } from "../src/app/model";
import { dhKeyFromSecret } from "../src/crypto/sodium";

const server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878";

function pair() {
  const secrets = generateCardSecrets(systemRandom);
  const card = createCard(secrets, create(MailboxAddressSchema, { server, sendId: new Uint8Array(16) }), "A", Date.now() / 1000 + 3600);
  const text = (t: string) => create(EnvelopeSchema, { messageId: systemRandom.bytes(16), sentAt: 1n, body: { case: "text", value: { $typeName: "purr.v1.Text", text: t } } });
  const initiated = initiateContact(card, text("intro"), systemRandom);
  const responded = respondToContact(initiated.request, secrets, systemRandom)!;
  return { a: responded, b: initiated, text };
}

test("padding: buckets, round trip, malformed padding refused", async () => {
  assert.deepEqual([0, 255, 256, 1023, 1024, 2047, 2048, 5000, 8191, 8192, 20000].map(paddedLength), [256, 256, 1024, 1024, 2048, 2048, 4096, 8192, 8192, 16384, 32768]);
  const data = utf8("hello");
  assert.deepEqual(unpad(pad(data)), data);
  assert.equal(unpad(new Uint8Array(256)), null);
});

test("a tampered, foreign or too-far-ahead message leaves the session exactly as it was", async () => {
  await ready;
  const { a, b, text } = pair();
  const sealed = seal(a.state, a.ad, text("one"), systemRandom);
  const before = JSON.stringify(cloneState(b.state), (_k, v) => (v instanceof Uint8Array ? toBase64Url(v) : v));
  const tampered = { ...sealed, ciphertext: sealed.ciphertext.slice() };
  tampered.ciphertext[5]! ^= 1;
  assert.equal(open(b.state, b.ad, tampered, systemRandom)[0], "failed");
  assert.equal(open(b.state, utf8("another session"), sealed, systemRandom)[0], "failed");
  assert.equal(JSON.stringify(b.state, (_k, v) => (v instanceof Uint8Array ? toBase64Url(v) : v)), before);
  assert.equal(open(b.state, b.ad, sealed, systemRandom)[0], "ok");
  assert.equal(open(b.state, b.ad, sealed, systemRandom)[0], "duplicate");

  for (let i = 0; i <= MAX_SKIP + 1; i++) seal(a.state, a.ad, text("skipped"), systemRandom);
  const far = seal(a.state, a.ad, text("far"), systemRandom);
  assert.equal(open(b.state, b.ad, far, systemRandom)[0], "tooFarAhead");
});

test("a contact request for another card is refused", async () => {
  await ready;
  const { b } = pair();
  assert.equal(respondToContact(b.request, generateCardSecrets(systemRandom), systemRandom), null);
});

test("addresses and base64url", () => {
  const parsed = parseAddress(server)!;
  assert.equal(parsed.port, 7878);
  assert.equal(formatAddress(parsed), server);
  assert.ok(sameServer(server, server + "/"));
  for (const bad of ["http://x", "purr://short@host:1", server.replace("7878", "99999"), "purr://" + "A".repeat(43)]) assert.equal(parseAddress(bad), null, bad);
  // Transport endpoints (PROTOCOL.md section 1): kept in order, unknown schemes skipped, malformed known ones refused.
  const listed = `${server}?transport=tcp://example.org:7879&transport=udp://x:1&transport=mqtt://broker:1883/purr/home&transport=unix:/run/purr/purrd.sock`;
  assert.deepEqual(parseAddress(listed)!.transports, ["tcp://example.org:7879", "mqtt://broker:1883/purr/home", "unix:/run/purr/purrd.sock"]);
  assert.equal(formatAddress(parseAddress(listed)!), listed.replace("&transport=udp://x:1", ""));
  assert.ok(sameServer(server, listed));
  assert.equal(parseAddress(`${server}?transport=mqtt%3A%2F%2F[::1]%2Fpurr%2Fx`)!.transports![0], "mqtt://[::1]/purr/x");
  for (const bad of ["tcp://h:1/path", "mqtt://broker:1883", "mqtt://b/purr//x", "mqtt://b/purr/+", "unix:relative", "tcp://h:99999"]) {
    assert.equal(parseAddress(`${server}?transport=${bad}`), null, bad);
  }
  const nine = Array.from({ length: 9 }, (_, i) => `transport=tcp://h:${i + 1}`).join("&");
  assert.equal(parseAddress(`${server}?${nine}`), null);
  assert.equal(fromBase64Url("a+b/"), null);
  assert.deepEqual(fromBase64Url(toBase64Url(Uint8Array.of(1, 2, 3, 250))), Uint8Array.of(1, 2, 3, 250));
});

test("room crypto: group messages need the right key and room, sealed messages the right member", async () => {
  await ready;
  const roomId = systemRandom.bytes(16);
  const key = systemRandom.bytes(32);
  const keyId = initialKeyId(key);
  const sealed = encryptGroup(roomId, keyId, key, utf8("hi room"), systemRandom);
  assert.deepEqual(decryptGroup(roomId, sealed, id => (id.every((b, i) => b === keyId[i]) ? key : undefined)), utf8("hi room"));
  assert.equal(decryptGroup(systemRandom.bytes(16), sealed, () => key), null);
  assert.equal(decryptGroup(roomId, sealed, () => systemRandom.bytes(32)), null);
  const member = dhKeyFromSecret(systemRandom.bytes(32));
  const whisper = sealToMember(roomId, member.publicKey, utf8("psst"), systemRandom);
  assert.deepEqual(openSealed(roomId, member.secret, whisper), utf8("psst"));
  assert.equal(openSealed(roomId, systemRandom.bytes(32), whisper), null);
  assert.throws(() => parseRoomLink("purr:room/AAAA"), /not a Purr room link/);
});

test("the profile blob: round trip, wrong passphrase, tampering", async () => {
  await ready;
  const data = newProfile(server, "Alice");
  data.usedCards.push("abc");
  const key = newProfileKey("correct horse battery");
  const blob = sealProfile(key, serializeProfile(data));
  assert.deepEqual(deserializeProfile(openProfile(blob, "correct horse battery").json), data);
  assert.throws(() => openProfile(blob, "wrong"), WrongPassphraseError);
  blob[blob.length - 1]! ^= 1;
  assert.throws(() => openProfile(blob, "correct horse battery"), WrongPassphraseError);
  assert.throws(() => openProfile(utf8("not a profile at all, clearly"), "x"), /not a Purr profile/);
});

test("seeded randomness is deterministic; a fresh card reads back with its own key", async () => {
  await ready;
  const a = new SeededRandom(utf8("seed"));
  const b = new SeededRandom(utf8("seed"));
  assert.deepEqual(a.bytes(50), b.bytes(50));
  const secrets = generateCardSecrets(systemRandom);
  const card = createCard(secrets, create(MailboxAddressSchema, { server, sendId: new Uint8Array(16) }), "A", Date.now() / 1000 + 60);
  assert.equal(parseCard(card.link, Date.now() / 1000).link, card.link);
  assert.deepEqual(parseCard(card.link, Date.now() / 1000).body.identityKey, signingKeyFromSeed(secrets.identitySeed).publicKey);
});
