// Reproduces the C# room vectors (tests/Purr.Client.Tests/Vectors/rooms-v1.json) byte for byte: a group
// message under the link's key, a key update and a whisper sealed to a member, and the padding buckets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ready, dhKeyFromSecret, signingKeyFromSeed } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { paddedLength } from "../src/crypto/padding";
import { decryptGroup, encryptGroup, initialKeyId, joinTag, openHybrid, openKey, openProfile, openSealed, sealHybrid, sealProfile, sealToMember } from "../src/rooms/room-crypto";
import { mlKemPublicKey } from "../src/crypto/mlkem";
import { create, toBinary } from "@bufbuild/protobuf";
import { RoomPlaintextSchema } from "../src/gen/purr/v1/rooms_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "rooms-v1.json"));

test("room vectors reproduce byte for byte, drawing random bytes in the documented order", async () => {
  await ready;
  const random = new SeededRandom(fromHex(vectors.seed));
  const roomId = random.bytes(16);
  const roomKey = random.bytes(32);
  const memberDhSecret = random.bytes(32);
  const newRoomKey = random.bytes(32);
  random.bytes(16); // the group message's id, inside groupPlaintext
  random.bytes(16); // the whisper's id, inside whisperPlaintext
  assert.equal(toHex(roomId), vectors.inputs.roomId);
  assert.equal(toHex(roomKey), vectors.inputs.roomKey);
  assert.equal(toHex(memberDhSecret), vectors.inputs.memberDhSecret);
  assert.equal(toHex(newRoomKey), vectors.inputs.newRoomKey);
  const keyId = initialKeyId(roomKey);
  assert.equal(toHex(keyId), vectors.linkKeyId);
  const member = dhKeyFromSecret(memberDhSecret);
  assert.equal(toHex(member.publicKey), vectors.memberDhKey);

  const group = encryptGroup(roomId, keyId, roomKey, fromHex(vectors.inputs.groupPlaintext), random);
  assert.equal(toHex(group), vectors.group.ciphertext);
  const keyUpdate = sealToMember(roomId, member.publicKey, newRoomKey, random);
  assert.equal(toHex(keyUpdate), vectors.keyUpdateSeal.sealed);
  assert.equal(keyUpdate.length, vectors.keyUpdateSeal.length);
  const whisper = sealToMember(roomId, member.publicKey, fromHex(vectors.inputs.whisperPlaintext), random);
  assert.equal(toHex(whisper), vectors.whisperSeal.sealed);
  const profileMember = signingKeyFromSeed(random.bytes(32));
  assert.equal(toHex(profileMember.publicKey), vectors.memberProfile.memberKey);
  const profile = sealProfile(roomKey, profileMember.publicKey, fromHex(vectors.memberProfile.plaintext), random);
  assert.equal(toHex(profile), vectors.memberProfile.sealed);
  assert.equal(toHex(openProfile(roomKey, profileMember.publicKey, profile)!), vectors.memberProfile.plaintext);
  assert.equal(openProfile(roomKey, new Uint8Array(32), profile), null);

  // Bans and kicks: the join tag, and the new link's secret sealed under the new key (RoomKeyUpdate.link).
  const tagSecret = random.bytes(32);
  assert.equal(toHex(tagSecret), vectors.joinTag.tagSecret);
  assert.equal(toHex(joinTag(tagSecret, roomKey)), vectors.joinTag.tag);
  const newKeyId = random.bytes(8);
  const newJoinSecret = random.bytes(32);
  assert.equal(toHex(newKeyId), vectors.linkUpdate.keyId);
  assert.equal(toHex(newJoinSecret), vectors.linkUpdate.joinSecret);
  const linkPlaintext = toBinary(RoomPlaintextSchema, create(RoomPlaintextSchema, { body: { case: "linkUpdate", value: { joinSecret: newJoinSecret } } }));
  assert.equal(toHex(linkPlaintext), vectors.linkUpdate.plaintext);
  assert.equal(toHex(encryptGroup(roomId, newKeyId, newRoomKey, linkPlaintext, random)), vectors.linkUpdate.ciphertext);

  // The hybrid seal of the new key to a member with an ML-KEM-768 key (X25519 and ML-KEM together).
  const kemSeed = random.bytes(64);
  assert.equal(toHex(kemSeed), vectors.hybridKeySeal.memberKemSeed);
  const hybrid = sealHybrid(roomId, member.publicKey, mlKemPublicKey(kemSeed), newRoomKey, random);
  assert.equal(toHex(hybrid.sealed), vectors.hybridKeySeal.sealed);
  assert.equal(toHex(hybrid.kemCiphertext), vectors.hybridKeySeal.kemCiphertext);
  assert.equal(toHex(openHybrid(roomId, memberDhSecret, kemSeed, hybrid.sealed, hybrid.kemCiphertext)!), vectors.inputs.newRoomKey);
  assert.equal(toHex(openKey(roomId, memberDhSecret, kemSeed, hybrid.sealed, hybrid.kemCiphertext)!), vectors.inputs.newRoomKey);
  const changed = hybrid.kemCiphertext.slice();
  changed[3]! ^= 1;
  assert.equal(openHybrid(roomId, memberDhSecret, kemSeed, hybrid.sealed, changed), null);
  assert.equal(openKey(roomId, memberDhSecret, undefined, hybrid.sealed, hybrid.kemCiphertext), null);

  assert.equal(toHex(decryptGroup(roomId, group, () => roomKey)!), vectors.inputs.groupPlaintext);
  assert.equal(toHex(openSealed(roomId, memberDhSecret, whisper)!), vectors.inputs.whisperPlaintext);
});

test("padding buckets match the C# table, the 0x80 byte included", () => {
  for (const { length, padded } of vectors.padding as { length: number; padded: number }[]) {
    assert.equal(paddedLength(length), padded, `length ${length}`);
  }
});
