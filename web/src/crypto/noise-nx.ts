// Noise_NX_25519_ChaChaPoly_SHA256 (the Noise Protocol Framework, revision 34), the initiator's side: what the C#
// client's NoiseNx does for the MQTT transport and for relayed connections (PROTOCOL.md sections 2 and 15.6).
//   -> e
//   <- e, ee, s, es
// Checked against the Cacophony test vector the C# implementation reproduces (tests/Purr.Crypto.Tests/Vectors/noise-nx.json).
import { agree, chachaPolyDecrypt, chachaPolyEncrypt, dhKeyFromSecret, hmacSha256, sha256, type DhKeyPair } from "./sodium";
import type { RandomSource } from "./random";

const PROTOCOL_NAME = new TextEncoder().encode("Noise_NX_25519_ChaChaPoly_SHA256");
const KEY = 32;
const TAG = 16;
const MAX_NONCE = 2n ** 64n - 1n;

/** A CipherState for ChaChaPoly: a 64-bit counter nonce, little-endian after four zero bytes. One per direction. */
export class NoiseCipherState {
  private nonce = 0n;

  constructor(private key: Uint8Array | null = null) {}

  initializeKey(key: Uint8Array): void {
    this.key = key;
    this.nonce = 0n;
  }

  encrypt(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.key) return plaintext.slice();
    const sealed = chachaPolyEncrypt(this.key, this.nextNonce(), plaintext, ad);
    this.nonce++;
    return sealed;
  }

  /** The plaintext, or null when it does not authenticate (the nonce then stays, as the spec says). */
  decrypt(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    if (!this.key) return ciphertext.slice();
    const opened = chachaPolyDecrypt(this.key, this.nextNonce(), ciphertext, ad);
    if (opened) this.nonce++;
    return opened;
  }

  private nextNonce(): Uint8Array {
    if (this.nonce >= MAX_NONCE - 1n) throw new Error("the Noise nonce is exhausted");
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setBigUint64(4, this.nonce, true);
    return nonce;
  }
}

/** Noise's HKDF(ck, ikm) with two outputs (section 4.3); it also takes an empty ikm (Split). */
function hkdf2(chainingKey: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmacSha256(chainingKey, ikm);
  const first = hmacSha256(temp, Uint8Array.of(1));
  const second = hmacSha256(temp, first, Uint8Array.of(2));
  return [first, second];
}

/** The initiator of Noise_NX: writes message 1, reads message 2 (the responder's static key and its payload). */
export class NoiseNxInitiator {
  private hash: Uint8Array = PROTOCOL_NAME.slice();
  private chainingKey: Uint8Array = PROTOCOL_NAME.slice();
  private readonly cipher = new NoiseCipherState();
  private readonly ephemeral: DhKeyPair;
  /** The responder's static key, once message 2 authenticated. */
  remoteStaticKey: Uint8Array | null = null;

  /** `ephemeralSecret` is drawn from `random` unless a test fixes it. */
  constructor(prologue: Uint8Array, random: RandomSource, ephemeralSecret?: Uint8Array) {
    this.ephemeral = dhKeyFromSecret(ephemeralSecret ?? random.bytes(KEY));
    this.mixHash(prologue);
  }

  get handshakeHash(): Uint8Array {
    return this.hash.slice();
  }

  /** -> e, with `payload` (in clear: no key yet). */
  writeFirst(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    this.mixHash(this.ephemeral.publicKey);
    const sealed = this.encryptAndHash(payload);
    const message = new Uint8Array(KEY + sealed.length);
    message.set(this.ephemeral.publicKey);
    message.set(sealed, KEY);
    return message;
  }

  /** <- e, ee, s, es: the payload, or null when the message does not authenticate or a key is bad. */
  readSecond(message: Uint8Array): Uint8Array | null {
    if (message.length < KEY + KEY + TAG + TAG) return null;
    const responderEphemeral = message.subarray(0, KEY);
    this.mixHash(responderEphemeral);
    if (!this.mixKey(responderEphemeral)) return null;
    const responderStatic = this.decryptAndHash(message.subarray(KEY, KEY + KEY + TAG));
    if (!responderStatic || !this.mixKey(responderStatic)) return null;
    const payload = this.decryptAndHash(message.subarray(KEY + KEY + TAG));
    if (payload) this.remoteStaticKey = responderStatic;
    return payload;
  }

  /** The transport states: [initiator to responder, responder to initiator]. */
  split(): [NoiseCipherState, NoiseCipherState] {
    const [first, second] = hkdf2(this.chainingKey, new Uint8Array(0));
    return [new NoiseCipherState(first), new NoiseCipherState(second)];
  }

  private mixHash(data: Uint8Array): void {
    this.hash = sha256(this.hash, data);
  }

  private mixKey(theirs: Uint8Array): boolean {
    const shared = agree(this.ephemeral.secret, theirs);
    if (!shared) return false;
    const [chainingKey, key] = hkdf2(this.chainingKey, shared);
    this.chainingKey = chainingKey;
    this.cipher.initializeKey(key);
    return true;
  }

  private encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher.encrypt(this.hash, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decryptAndHash(ciphertext: Uint8Array): Uint8Array | null {
    const plaintext = this.cipher.decrypt(this.hash, ciphertext);
    if (plaintext) this.mixHash(ciphertext);
    return plaintext;
  }
}
