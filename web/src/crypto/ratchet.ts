// The Double Ratchet with header encryption (Signal's specification, section 4) and SimpleX's
// post-quantum extension (PQDR: an ML-KEM-768 secret mixed into every DH step), byte-compatible with
// the C# client (Purr.Crypto.Ratchet). Decryption runs on a copy of the state and commits only on
// success, so a forged, tampered or duplicate message leaves the session as it was.
import { aeadDecrypt, aeadEncrypt, agree, dhKeyFromSecret, hkdfSha256, hmacSha256, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from "./sodium";
import type { RandomSource } from "./random";
import { mlKemCiphertextBytes, mlKemDecapsulate, mlKemEncapsulate, mlKemPublicKey, mlKemPublicKeyBytes, mlKemSeedBytes } from "./mlkem";
import { concat, readU32be, u32be, utf8 } from "../protocol/bytes";

export const MAX_SKIP = 1000;
export const MAX_STORED_SKIPPED = 2000;
export const RETIRED_HEADER_KEYS_KEPT = 16;
export const HEADER_BYTES = 40;
/** A header that also offers the sender's ML-KEM-768 encapsulation key. */
export const KEM_PROPOSAL_HEADER_BYTES = HEADER_BYTES + mlKemPublicKeyBytes;
/** A header with the key and the ciphertext to the peer's key. */
export const KEM_HEADER_BYTES = KEM_PROPOSAL_HEADER_BYTES + mlKemCiphertextBytes;
const HEADER_OVERHEAD = AEAD_NONCE_BYTES + AEAD_TAG_BYTES;
const rootInfo = utf8("purr/v1 ratchet root");
const messageKeyInfo = utf8("purr/v1 message key");
const zeros32 = new Uint8Array(32);

export interface SkippedKey { headerKey: Uint8Array; number: number; messageKey: Uint8Array }

export interface RatchetState {
  rootKey: Uint8Array;
  dhSendSecret: Uint8Array;
  dhSendPublic: Uint8Array;
  dhReceive: Uint8Array | null;
  chainSend: Uint8Array | null;
  chainReceive: Uint8Array | null;
  headerSend: Uint8Array | null;
  headerReceive: Uint8Array | null;
  nextHeaderSend: Uint8Array;
  nextHeaderReceive: Uint8Array;
  sendCount: number;
  receiveCount: number;
  previousSendCount: number;
  skipped: SkippedKey[];
  retiredHeaderKeys: Uint8Array[];
  /** This side's headers carry ML-KEM keys (PQXDH start, the peer said it reads them, or it sent one). Absent in older profiles. */
  kemEnabled?: boolean;
  /** Both sides' ML-KEM secrets are in the root chain: a new chain without a KEM ciphertext is refused. */
  postQuantum?: boolean;
  kemSendSeed?: Uint8Array | null;
  kemSendPublic?: Uint8Array | null;
  kemCiphertext?: Uint8Array | null;
}

export interface SessionSecrets { sharedKey: Uint8Array; initiatorHeaderKey: Uint8Array; responderNextHeaderKey: Uint8Array }

export interface RatchetMessage { header: Uint8Array; ciphertext: Uint8Array }

export type DecryptStatus = "ok" | "duplicate" | "failed" | "tooFarAhead";

export function kdfRoot(rootKey: Uint8Array, dh: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const out = hkdfSha256(dh, rootKey, rootInfo, 96);
  return [out.slice(0, 32), out.slice(32, 64), out.slice(64)];
}

/** KDF_CK: [next chain key, message key]. */
export function kdfChain(chainKey: Uint8Array): [Uint8Array, Uint8Array] {
  return [hmacSha256(chainKey, Uint8Array.of(2)), hmacSha256(chainKey, Uint8Array.of(1))];
}

function messageCipher(messageKey: Uint8Array): [Uint8Array, Uint8Array] {
  const out = hkdfSha256(messageKey, zeros32, messageKeyInfo, 56);
  return [out.slice(0, 32), out.slice(32)];
}

function newDhKey(random: RandomSource) {
  return dhKeyFromSecret(random.bytes(32));
}

/**
 * RatchetInitAlice: the acceptor of a card, who sends first. With the card's ML-KEM prekey (a post-quantum card),
 * PQDR's RatchetInitAlicePQ2: a fresh KEM key pair and an encapsulation to the prekey mixed into the first chain.
 */
export function initializeInitiator(secrets: SessionSecrets, responderRatchetKey: Uint8Array, random: RandomSource, responderKemKey: Uint8Array | null = null): RatchetState {
  const key = newDhKey(random);
  let dh = agree(key.secret, responderRatchetKey);
  if (!dh) throw new Error("the responder's ratchet key is a low-order point");
  const state: RatchetState = {
    rootKey: new Uint8Array(0), dhSendSecret: key.secret, dhSendPublic: key.publicKey, dhReceive: responderRatchetKey.slice(),
    chainSend: null, chainReceive: null, headerSend: secrets.initiatorHeaderKey.slice(), headerReceive: null,
    nextHeaderSend: new Uint8Array(0), nextHeaderReceive: secrets.responderNextHeaderKey.slice(),
    sendCount: 0, receiveCount: 0, previousSendCount: 0, skipped: [], retiredHeaderKeys: [],
    kemEnabled: false, postQuantum: false, kemSendSeed: null, kemSendPublic: null, kemCiphertext: null,
  };
  if (responderKemKey) {
    state.kemEnabled = true;
    state.postQuantum = true;
    newKemKey(state, random);
    const encapsulated = mlKemEncapsulate(responderKemKey, random);
    if (!encapsulated) throw new Error("the responder's ML-KEM key is invalid");
    state.kemCiphertext = encapsulated.ciphertext;
    dh = concat(dh, encapsulated.secret);
  }
  [state.rootKey, state.chainSend, state.nextHeaderSend] = kdfRoot(secrets.sharedKey, dh);
  return state;
}

/** RatchetInitBob: the card's creator; its prekey is the first ratchet key (and its ML-KEM prekey the first KEM key). */
export function initializeResponder(secrets: SessionSecrets, prekeySecret: Uint8Array, kemPrekeySeed: Uint8Array | null = null): RatchetState {
  const prekey = dhKeyFromSecret(prekeySecret);
  return {
    rootKey: secrets.sharedKey.slice(), dhSendSecret: prekey.secret, dhSendPublic: prekey.publicKey, dhReceive: null,
    chainSend: null, chainReceive: null, headerSend: null, headerReceive: null,
    nextHeaderSend: secrets.responderNextHeaderKey.slice(), nextHeaderReceive: secrets.initiatorHeaderKey.slice(),
    sendCount: 0, receiveCount: 0, previousSendCount: 0, skipped: [], retiredHeaderKeys: [],
    kemEnabled: kemPrekeySeed !== null, postQuantum: kemPrekeySeed !== null,
    kemSendSeed: kemPrekeySeed?.slice() ?? null, kemSendPublic: kemPrekeySeed ? mlKemPublicKey(kemPrekeySeed) : null, kemCiphertext: null,
  };
}

/** The peer reads post-quantum headers: offer an ML-KEM key from now on (draws a seed unless one is held). */
export function enableKem(state: RatchetState, random: RandomSource): void {
  if (state.kemEnabled) return;
  state.kemEnabled = true;
  if (!state.kemSendSeed) newKemKey(state, random);
}

function newKemKey(state: RatchetState, random: RandomSource): void {
  state.kemSendSeed = random.bytes(mlKemSeedBytes);
  state.kemSendPublic = mlKemPublicKey(state.kemSendSeed);
}

export function cloneState(s: RatchetState): RatchetState {
  return {
    ...s,
    skipped: s.skipped.map(k => ({ ...k })),
    retiredHeaderKeys: [...s.retiredHeaderKeys],
  };
}

export function encrypt(state: RatchetState, plaintext: Uint8Array, ad: Uint8Array, random: RandomSource): RatchetMessage {
  if (!state.chainSend || !state.headerSend) throw new Error("this side cannot send before it has received the first message");
  const [chain, messageKey] = kdfChain(state.chainSend);
  const kemKey = state.kemEnabled ? state.kemSendPublic ?? null : null;
  const kemCiphertext = kemKey ? state.kemCiphertext ?? null : null;
  const header = concat(state.dhSendPublic, u32be(state.previousSendCount), u32be(state.sendCount),
    kemKey ?? new Uint8Array(0), kemCiphertext ?? new Uint8Array(0));
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  const encryptedHeader = concat(nonce, aeadEncrypt(state.headerSend, nonce, header, null));
  const [key, bodyNonce] = messageCipher(messageKey);
  const ciphertext = aeadEncrypt(key, bodyNonce, plaintext, concat(ad, encryptedHeader));
  state.chainSend = chain;
  state.sendCount++;
  return { header: encryptedHeader, ciphertext };
}

/** Decrypts into the state only on success; on anything else the state is untouched. */
export function tryDecrypt(state: RatchetState, message: RatchetMessage, ad: Uint8Array, random: RandomSource): [DecryptStatus, Uint8Array | null] {
  const working = cloneState(state);
  const [status, plaintext] = decrypt(working, message, ad, random);
  if (status === "ok") Object.assign(state, working);
  return [status, plaintext];
}

function decrypt(state: RatchetState, message: RatchetMessage, ad: Uint8Array, random: RandomSource): [DecryptStatus, Uint8Array | null] {
  for (let i = 0; i < state.skipped.length; i++) {
    const skipped = state.skipped[i]!;
    const h = decryptHeader(skipped.headerKey, message.header);
    if (h && number(h) === skipped.number) {
      const opened = decryptBody(skipped.messageKey, message, ad);
      if (!opened) return ["failed", null];
      state.skipped.splice(i, 1);
      return ["ok", opened];
    }
  }

  let header = state.headerReceive ? decryptHeader(state.headerReceive, message.header) : null;
  let ratchetStep = false;
  if (!header) {
    header = decryptHeader(state.nextHeaderReceive, message.header);
    ratchetStep = header !== null;
  }
  if (!header) {
    return [state.retiredHeaderKeys.some(k => decryptHeader(k, message.header) !== null) ? "duplicate" : "failed", null];
  }

  const n = number(header);
  if (ratchetStep) {
    if (!skipMessageKeys(state, readU32be(header, 32))) return ["tooFarAhead", null];
    if (!ratchetStepWith(state, header, random)) return ["failed", null];
  } else if (n < state.receiveCount) {
    return ["duplicate", null];
  }
  if (!skipMessageKeys(state, n)) return ["tooFarAhead", null];
  const [chain, messageKey] = kdfChain(state.chainReceive!);
  const body = decryptBody(messageKey, message, ad);
  if (!body) return ["failed", null];
  state.chainReceive = chain;
  state.receiveCount++;
  return ["ok", body];
}

function skipMessageKeys(state: RatchetState, until: number): boolean {
  if (state.receiveCount + MAX_SKIP < until) return false;
  if (!state.chainReceive) return true;
  while (state.receiveCount < until) {
    const [chain, messageKey] = kdfChain(state.chainReceive);
    state.skipped.push({ headerKey: state.headerReceive!, number: state.receiveCount, messageKey });
    state.chainReceive = chain;
    state.receiveCount++;
  }
  if (state.skipped.length > MAX_STORED_SKIPPED) state.skipped.splice(0, state.skipped.length - MAX_STORED_SKIPPED);
  return true;
}

function ratchetStepWith(state: RatchetState, header: Uint8Array, random: RandomSource): boolean {
  const theirKey = header.slice(0, 32);
  const theirKemKey = header.length >= KEM_PROPOSAL_HEADER_BYTES ? header.slice(HEADER_BYTES, KEM_PROPOSAL_HEADER_BYTES) : null;
  const theirCiphertext = header.length === KEM_HEADER_BYTES ? header.slice(KEM_PROPOSAL_HEADER_BYTES) : null;
  // Downgrade: once both sides' KEM secrets are in the root chain, a new chain must bring a fresh one.
  if (state.postQuantum && !theirCiphertext) return false;
  let receivedSecret: Uint8Array = new Uint8Array(0);
  if (theirCiphertext) {
    const decapsulated = state.kemSendSeed ? mlKemDecapsulate(state.kemSendSeed, theirCiphertext) : null;
    if (!decapsulated) return false;
    receivedSecret = decapsulated;
  }
  if (state.headerReceive) {
    state.retiredHeaderKeys.push(state.headerReceive);
    if (state.retiredHeaderKeys.length > RETIRED_HEADER_KEYS_KEPT) state.retiredHeaderKeys.shift();
  }
  state.previousSendCount = state.sendCount;
  state.sendCount = 0;
  state.receiveCount = 0;
  state.headerSend = state.nextHeaderSend;
  state.headerReceive = state.nextHeaderReceive;
  state.dhReceive = theirKey;
  const received = agree(state.dhSendSecret, theirKey);
  if (!received) return false;
  [state.rootKey, state.chainReceive, state.nextHeaderReceive] = kdfRoot(state.rootKey, concat(received, receivedSecret));
  const fresh = newDhKey(random);
  state.dhSendSecret = fresh.secret;
  state.dhSendPublic = fresh.publicKey;
  const sent = agree(fresh.secret, theirKey)!;
  // A KEM key in the peer's header: answer with one of ours and an encapsulation to it (PQDR's DHRatchetPQ2).
  let sentSecret: Uint8Array = new Uint8Array(0);
  state.kemCiphertext = null;
  if (theirKemKey) state.kemEnabled = true;
  if (state.kemEnabled) {
    newKemKey(state, random);
    if (theirKemKey) {
      const encapsulated = mlKemEncapsulate(theirKemKey, random);
      if (!encapsulated) return false;
      state.kemCiphertext = encapsulated.ciphertext;
      sentSecret = encapsulated.secret;
    }
  }
  if (theirCiphertext && state.kemCiphertext) state.postQuantum = true;
  [state.rootKey, state.chainSend, state.nextHeaderSend] = kdfRoot(state.rootKey, concat(sent, sentSecret));
  return true;
}

const number = (header: Uint8Array) => readU32be(header, 36);

function decryptHeader(headerKey: Uint8Array, encrypted: Uint8Array): Uint8Array | null {
  const length = encrypted.length - HEADER_OVERHEAD;
  if ((length !== HEADER_BYTES && length !== KEM_PROPOSAL_HEADER_BYTES && length !== KEM_HEADER_BYTES) || headerKey.length !== 32) return null;
  return aeadDecrypt(headerKey, encrypted.subarray(0, AEAD_NONCE_BYTES), encrypted.subarray(AEAD_NONCE_BYTES), null);
}

function decryptBody(messageKey: Uint8Array, message: RatchetMessage, ad: Uint8Array): Uint8Array | null {
  const [key, nonce] = messageCipher(messageKey);
  return aeadDecrypt(key, nonce, message.ciphertext, concat(ad, message.header));
}
