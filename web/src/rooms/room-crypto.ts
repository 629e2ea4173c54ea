// Room content encryption, byte-compatible with the C# RoomCrypto (PROTOCOL.md section 12).
import { aeadDecrypt, aeadEncrypt, agree, blake2b, blake2bKeyed, dhKeyFromSecret, hkdfSha256, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from "../crypto/sodium";
import { pad, unpad } from "../crypto/padding";
import type { RandomSource } from "../crypto/random";
import { concat, utf8, withContext } from "../protocol/bytes";

export const KEY_ID_BYTES = 8;

export const initialKeyId = (roomKey: Uint8Array) => blake2b(roomKey, 16).slice(0, KEY_ID_BYTES);

/**
 * This profile's join tag for a room (what a room's ban list holds, hashed again by the server): the same for every
 * join of one profile to one room, unrelated between rooms. BLAKE2b-256(key = tag secret, "purr/v1 room join tag" ‖ 0x00 ‖ link key).
 */
export const joinTag = (tagSecret: Uint8Array, linkKey: Uint8Array) => blake2bKeyed(withContext("purr/v1 room join tag", linkKey), 32, tagSecret);

const groupAd = (roomId: Uint8Array, keyId: Uint8Array) => withContext("purr/v1 room", roomId, keyId);

function sealKey(roomId: Uint8Array, shared: Uint8Array): [Uint8Array, Uint8Array] {
  const out = hkdfSha256(shared, new Uint8Array(32), concat(utf8("purr/v1 room seal"), roomId), 56);
  return [out.slice(0, 32), out.slice(32)];
}

export function encryptGroup(roomId: Uint8Array, keyId: Uint8Array, key: Uint8Array, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  return concat(keyId, nonce, aeadEncrypt(key, nonce, pad(plaintext), groupAd(roomId, keyId)));
}

export function decryptGroup(roomId: Uint8Array, ciphertext: Uint8Array, keyFor: (keyId: Uint8Array) => Uint8Array | undefined): Uint8Array | null {
  if (ciphertext.length < KEY_ID_BYTES + AEAD_NONCE_BYTES + AEAD_TAG_BYTES) return null;
  const keyId = ciphertext.slice(0, KEY_ID_BYTES);
  const key = keyFor(keyId);
  if (!key) return null;
  const padded = aeadDecrypt(key, ciphertext.subarray(KEY_ID_BYTES, KEY_ID_BYTES + AEAD_NONCE_BYTES), ciphertext.subarray(KEY_ID_BYTES + AEAD_NONCE_BYTES), groupAd(roomId, keyId));
  return padded ? unpad(padded) : null;
}

const profileAd = (memberKey: Uint8Array) => withContext("purr/v1 room member", memberKey);

/** A member's profile (its name), sealed under the link's key and bound to its member key; given at create and join. */
export function sealProfile(linkKey: Uint8Array, memberKey: Uint8Array, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  return concat(nonce, aeadEncrypt(linkKey, nonce, pad(plaintext), profileAd(memberKey)));
}

export function openProfile(linkKey: Uint8Array, memberKey: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) return null;
  const padded = aeadDecrypt(linkKey, sealed.subarray(0, AEAD_NONCE_BYTES), sealed.subarray(AEAD_NONCE_BYTES), profileAd(memberKey));
  return padded ? unpad(padded) : null;
}

/** Sealed to one member's X25519 key: whispers and key updates. */
export function sealToMember(roomId: Uint8Array, memberDhKey: Uint8Array, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const ephemeral = dhKeyFromSecret(random.bytes(32));
  const shared = agree(ephemeral.secret, memberDhKey);
  if (!shared) throw new Error("the member's key is invalid");
  const [key, nonce] = sealKey(roomId, shared);
  return concat(ephemeral.publicKey, aeadEncrypt(key, nonce, pad(plaintext), roomId));
}

export function openSealed(roomId: Uint8Array, myDhSecret: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 32 + AEAD_TAG_BYTES) return null;
  const shared = agree(myDhSecret, sealed.subarray(0, 32));
  if (!shared) return null;
  const [key, nonce] = sealKey(roomId, shared);
  const padded = aeadDecrypt(key, nonce, sealed.subarray(32), roomId);
  return padded ? unpad(padded) : null;
}
