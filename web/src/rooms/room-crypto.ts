// Room content encryption, byte-compatible with the C# RoomCrypto (PROTOCOL.md section 12).
import { aeadDecrypt, aeadEncrypt, agree, blake2b, blake2bKeyed, dhKeyFromSecret, hkdfSha256, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from "../crypto/sodium";
import { pad, unpad } from "../crypto/padding";
import type { RandomSource } from "../crypto/random";
import { concat, utf8, withContext } from "../protocol/bytes";
import { isValidMlKemPublicKey, mlKemDecapsulate, mlKemEncapsulate } from "../crypto/mlkem";
import { create } from "@bufbuild/protobuf";
import { SealedRoomKeySchema, type RoomMember, type SealedRoomKey } from "../gen/purr/v1/rooms_pb";

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

/**
 * The hybrid seal of a room key to a member who gave an ML-KEM-768 key: ephemeral X25519 and an encapsulation to that
 * key, key ‖ nonce = HKDF(DH ‖ SS, "purr/v2 room seal" ‖ room id), ad = room id ‖ KEM ciphertext.
 */
export function sealHybrid(roomId: Uint8Array, memberDhKey: Uint8Array, memberKemKey: Uint8Array, plaintext: Uint8Array, random: RandomSource): { sealed: Uint8Array; kemCiphertext: Uint8Array } {
  const ephemeral = dhKeyFromSecret(random.bytes(32));
  const shared = agree(ephemeral.secret, memberDhKey);
  if (!shared) throw new Error("the member's key is invalid");
  const kem = mlKemEncapsulate(memberKemKey, random);
  if (!kem) throw new Error("the member's ML-KEM key is invalid");
  const out = hkdfSha256(concat(shared, kem.secret), new Uint8Array(32), concat(utf8("purr/v2 room seal"), roomId), 56);
  return { sealed: concat(ephemeral.publicKey, aeadEncrypt(out.slice(0, 32), out.slice(32), pad(plaintext), concat(roomId, kem.ciphertext))), kemCiphertext: kem.ciphertext };
}

export function openHybrid(roomId: Uint8Array, myDhSecret: Uint8Array, myKemSeed: Uint8Array, sealed: Uint8Array, kemCiphertext: Uint8Array): Uint8Array | null {
  if (sealed.length < 32 + AEAD_TAG_BYTES) return null;
  const shared = agree(myDhSecret, sealed.subarray(0, 32));
  const kemSecret = mlKemDecapsulate(myKemSeed, kemCiphertext);
  if (!shared || !kemSecret) return null;
  const out = hkdfSha256(concat(shared, kemSecret), new Uint8Array(32), concat(utf8("purr/v2 room seal"), roomId), 56);
  const padded = aeadDecrypt(out.slice(0, 32), out.slice(32), sealed.subarray(32), concat(roomId, kemCiphertext));
  return padded ? unpad(padded) : null;
}

/** A room key sealed to one member: the hybrid when it gave an ML-KEM-768 key, X25519 alone otherwise. */
export function sealKeyFor(roomId: Uint8Array, member: RoomMember, key: Uint8Array, random: RandomSource): SealedRoomKey {
  if (isValidMlKemPublicKey(member.memberKemKey)) {
    const { sealed, kemCiphertext } = sealHybrid(roomId, member.memberDhKey, member.memberKemKey, key, random);
    return create(SealedRoomKeySchema, { memberKey: member.memberKey, sealed, kemCiphertext });
  }
  return create(SealedRoomKeySchema, { memberKey: member.memberKey, sealed: sealToMember(roomId, member.memberDhKey, key, random) });
}

/** A room key sealed to this member, either way it was sealed; null when it does not open. */
export function openKey(roomId: Uint8Array, myDhSecret: Uint8Array, myKemSeed: Uint8Array | undefined, sealed: Uint8Array, kemCiphertext: Uint8Array): Uint8Array | null {
  if (kemCiphertext.length === 0) return openSealed(roomId, myDhSecret, sealed);
  return myKemSeed ? openHybrid(roomId, myDhSecret, myKemSeed, sealed, kemCiphertext) : null;
}

export function openSealed(roomId: Uint8Array, myDhSecret: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 32 + AEAD_TAG_BYTES) return null;
  const shared = agree(myDhSecret, sealed.subarray(0, 32));
  if (!shared) return null;
  const [key, nonce] = sealKey(roomId, shared);
  const padded = aeadDecrypt(key, nonce, sealed.subarray(32), roomId);
  return padded ? unpad(padded) : null;
}
