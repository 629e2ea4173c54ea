// Every primitive the browser client uses, from libsodium's own JavaScript build (the same library
// the C# client calls natively), with lengths checked here so a bad input is an error, never UB.
import sodium from "libsodium-wrappers-sumo";

export const ready: Promise<void> = sodium.ready;

export const KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const SIGNATURE_BYTES = 64;

function requireLength(name: string, value: Uint8Array, length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must be ${length} bytes, not ${value.length}`);
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const state = sodium.crypto_auth_hmacsha256_init(key);
  for (const part of parts) sodium.crypto_auth_hmacsha256_update(state, part);
  return sodium.crypto_auth_hmacsha256_final(state);
}

/** HKDF-SHA256 (RFC 5869) built on libsodium's HMAC-SHA256. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length <= 0 || length > 255 * 32) throw new RangeError("HKDF output length out of range");
  const prk = hmacSha256(salt.length === 0 ? new Uint8Array(32) : salt, ikm);
  const output = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = hmacSha256(prk, previous, info, Uint8Array.of(i));
    output.set(previous.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
  }
  return output;
}

/** ChaCha20-Poly1305 (RFC 8439, 12-byte nonce), for Noise's ChaChaPoly. */
export function chachaPolyEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  requireLength("key", key, KEY_BYTES);
  requireLength("nonce", nonce, 12);
  return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad.length > 0 ? ad : null, null, nonce, key);
}

/** The plaintext, or null when it does not authenticate. */
export function chachaPolyDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null {
  if (key.length !== KEY_BYTES || nonce.length !== 12 || ciphertext.length < AEAD_TAG_BYTES) return null;
  try {
    return sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, ciphertext, ad.length > 0 ? ad : null, nonce, key);
  } catch {
    return null;
  }
}

export function aeadEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array | null): Uint8Array {
  requireLength("key", key, KEY_BYTES);
  requireLength("nonce", nonce, AEAD_NONCE_BYTES);
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad && ad.length > 0 ? ad : null, null, nonce, key);
}

/** The plaintext, or null if the ciphertext, key, nonce or associated data do not match. */
export function aeadDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array | null): Uint8Array | null {
  if (key.length !== KEY_BYTES || nonce.length !== AEAD_NONCE_BYTES || ciphertext.length < AEAD_TAG_BYTES) return null;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad && ad.length > 0 ? ad : null, nonce, key);
  } catch {
    return null;
  }
}

export interface SigningKeyPair { readonly seed: Uint8Array; readonly publicKey: Uint8Array; readonly privateKey: Uint8Array }

export function signingKeyFromSeed(seed: Uint8Array): SigningKeyPair {
  requireLength("Ed25519 seed", seed, KEY_BYTES);
  const pair = sodium.crypto_sign_seed_keypair(seed);
  return { seed: seed.slice(), publicKey: pair.publicKey, privateKey: pair.privateKey };
}

export function sign(key: SigningKeyPair, message: Uint8Array): Uint8Array {
  return sodium.crypto_sign_detached(message, key.privateKey);
}

export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

export interface DhKeyPair { readonly secret: Uint8Array; readonly publicKey: Uint8Array }

export function dhKeyFromSecret(secret: Uint8Array): DhKeyPair {
  requireLength("X25519 secret", secret, KEY_BYTES);
  return { secret: secret.slice(), publicKey: sodium.crypto_scalarmult_base(secret) };
}

/** X25519; null for a malformed key or an all-zero result (a low-order point). */
export function agree(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  if (secret.length !== KEY_BYTES || publicKey.length !== KEY_BYTES) return null;
  try {
    const shared = sodium.crypto_scalarmult(secret, publicKey);
    return shared.every(b => b === 0) ? null : shared;
  } catch {
    return null;
  }
}

/** XORs data in place with the ChaCha20 (RFC 8439) keystream of key, zero nonce, counter 0 (PROTOCOL.md 15.5). */
export function chacha20Xor(key: Uint8Array, data: Uint8Array): void {
  requireLength("ChaCha20 key", key, KEY_BYTES);
  data.set(sodium.crypto_stream_chacha20_ietf_xor(data, new Uint8Array(12), key));
}

/** Opens a libsodium sealed box (crypto_box_seal) sealed to `recipient`; null when it was not, or was altered. */
export function sealedBoxOpen(sealed: Uint8Array, recipient: DhKeyPair): Uint8Array | null {
  if (sealed.length < 48) return null;
  try {
    return sodium.crypto_box_seal_open(sealed, recipient.publicKey, recipient.secret);
  } catch {
    return null;
  }
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const state = sodium.crypto_hash_sha256_init();
  for (const part of parts) sodium.crypto_hash_sha256_update(state, part);
  return sodium.crypto_hash_sha256_final(state);
}

export function blake2b(data: Uint8Array, length: number): Uint8Array {
  return sodium.crypto_generichash(length, data, null);
}

/** Keyed BLAKE2b (libsodium's generichash with a key). */
export function blake2bKeyed(data: Uint8Array, length: number, key: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(length, data, key);
}

export function sha512(data: Uint8Array): Uint8Array {
  return sodium.crypto_hash_sha512(data);
}

export function randomBytes(length: number): Uint8Array {
  return sodium.randombytes_buf(length);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && sodium.memcmp(a, b);
}

export const ARGON2ID_INTERACTIVE = { opsLimit: 2, memLimit: 64 * 1024 * 1024 };

export function argon2id(passphrase: string, salt: Uint8Array, opsLimit: number, memLimit: number): Uint8Array {
  requireLength("salt", salt, 16);
  return sodium.crypto_pwhash(KEY_BYTES, new TextEncoder().encode(passphrase), salt, opsLimit, memLimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
}
