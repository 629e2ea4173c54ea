// Presence on the wire (PROTOCOL.md 10.9), byte-compatible with the C# PresenceSeal:
// nonce (24) || XChaCha20-Poly1305(channel key, padded PresencePlaintext, ad = "purr/v1 presence").
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PresencePlaintextSchema, PresenceSealedSchema, type PresencePlaintext, type PresenceSealed } from "../gen/purr/v1/contacts_pb";
import { aeadDecrypt, aeadEncrypt, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from "../crypto/sodium";
import { pad, unpad } from "../crypto/padding";
import type { RandomSource } from "../crypto/random";
import { concat, utf8 } from "../protocol/bytes";

export const MAX_PRESENCE_TEXT = 80;
const context = utf8("purr/v1 presence");

export function sealPresence(key: Uint8Array, plaintext: PresencePlaintext, random: RandomSource): PresenceSealed {
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  return create(PresenceSealedSchema, { sealed: concat(nonce, aeadEncrypt(key, nonce, pad(toBinary(PresencePlaintextSchema, plaintext)), context)) });
}

export function openPresence(key: Uint8Array, sealed: PresenceSealed): PresencePlaintext | null {
  const bytes = sealed.sealed;
  if (key.length !== 32 || bytes.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) return null;
  const padded = aeadDecrypt(key, bytes.subarray(0, AEAD_NONCE_BYTES), bytes.subarray(AEAD_NONCE_BYTES), context);
  const plain = padded ? unpad(padded) : null;
  if (!plain) return null;
  try {
    return fromBinary(PresencePlaintextSchema, plain);
  } catch {
    return null;
  }
}
