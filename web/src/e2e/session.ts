// One contact's Double Ratchet session: padded Envelopes in, RatchetEnvelopes out (PROTOCOL.md 10.3).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EnvelopeSchema, RatchetEnvelopeSchema, type Envelope, type RatchetEnvelope } from "../gen/purr/v1/contacts_pb";
import { cloneState, enableKem, encrypt, tryDecrypt, type DecryptStatus, type RatchetState } from "../crypto/ratchet";
import { pad, unpad } from "../crypto/padding";
import type { RandomSource } from "../crypto/random";
import { withContext } from "../protocol/bytes";

/** AD = "purr/v1 session" || 0x00 || initiator Ed25519 || initiator X25519 || responder Ed25519 || responder X25519. */
export function sessionAssociatedData(initiatorIdentity: Uint8Array, initiatorDh: Uint8Array, responderIdentity: Uint8Array, responderDh: Uint8Array): Uint8Array {
  return withContext("purr/v1 session", initiatorIdentity, initiatorDh, responderIdentity, responderDh);
}

export function seal(state: RatchetState, ad: Uint8Array, envelope: Envelope, random: RandomSource): RatchetEnvelope {
  const message = encrypt(state, pad(toBinary(EnvelopeSchema, envelope)), ad, random);
  return create(RatchetEnvelopeSchema, { header: message.header, ciphertext: message.ciphertext });
}

/** Opens a message; on anything but "ok" the state is exactly as it was. */
export function open(state: RatchetState, ad: Uint8Array, sealed: RatchetEnvelope, random: RandomSource): [DecryptStatus, Envelope | null] {
  const working = cloneState(state);
  const [status, padded] = tryDecrypt(working, { header: sealed.header, ciphertext: sealed.ciphertext }, ad, random);
  if (status !== "ok" || !padded) return [status, null];
  const unpadded = unpad(padded);
  if (!unpadded) return ["failed", null];
  let envelope: Envelope;
  try {
    envelope = fromBinary(EnvelopeSchema, unpadded);
  } catch {
    return ["failed", null];
  }
  // The peer reads post-quantum headers: offer it an ML-KEM key from now on (the session upgrades).
  if (envelope.kemHeaders) enableKem(working, random);
  Object.assign(state, working);
  return ["ok", envelope];
}
