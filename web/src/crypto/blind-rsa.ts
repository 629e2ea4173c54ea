// RFC 9474 RSA blind signatures, the client's half, variant RSABSSA-SHA384-PSS-Deterministic (SHA-384,
// MGF1-SHA-384, 48-byte salt): blind a message for the server's public key, then finalize its blind
// signature into an RSASSA-PSS signature the server cannot link to what it signed. Only public-key
// arithmetic happens here (BigInt); the C# server holds the private key. Checked against the RFC's vectors.
import { sha256, sha384 } from "@noble/hashes/sha2.js";
import { concat, equalBytes } from "../protocol/bytes";
import type { RandomSource } from "./random";

export const SALT_BYTES = 48;
const HASH_BYTES = 48;
const MIN_BITS = 2048;
const MAX_BITS = 4096;

export interface BlindRsaKey { n: bigint; e: bigint; bits: number; modulusBytes: number; keyId: Uint8Array }
export interface Blinded { message: Uint8Array; inverse: Uint8Array }

/** A key from the wire (big-endian, no leading zero), or null outside 2048..4096 bits or with an even n or e. */
export function keyFromWire(modulus: Uint8Array, exponent: Uint8Array): BlindRsaKey | null {
  if (modulus.length === 0 || exponent.length === 0 || exponent.length > 8 || modulus[0] === 0 || exponent[0] === 0) return null;
  const n = toBigInt(modulus);
  const e = toBigInt(exponent);
  const bits = n.toString(2).length;
  if (bits < MIN_BITS || bits > MAX_BITS || n % 2n === 0n || e % 2n === 0n || e <= 1n) return null;
  const length = (value: number) => new Uint8Array([value >> 8, value & 0xff]);
  return { n, e, bits, modulusBytes: Math.ceil(bits / 8), keyId: sha256(concat(length(modulus.length), modulus, length(exponent.length), exponent)) };
}

/** Blind(pk, msg) (RFC 9474 4.2) with a random salt and blinding factor. */
export function blind(key: BlindRsaKey, message: Uint8Array, random: RandomSource): Blinded {
  const salt = random.bytes(SALT_BYTES);
  for (;;) {
    const r = randomBelow(key.n, key.bits, random);
    if (gcd(r, key.n) === 1n) return blindWith(key, message, salt, r);
  }
}

/** Blind with a given salt and r: for the RFC's test vectors. */
export function blindWith(key: BlindRsaKey, message: Uint8Array, salt: Uint8Array, r: bigint): Blinded {
  const m = toBigInt(encodePss(message, salt, key.bits - 1));
  if (gcd(m, key.n) !== 1n) throw new Error("the encoded message is not coprime to the modulus");
  const z = (m * modPow(r, key.e, key.n)) % key.n;
  return { message: toBytes(z, key.modulusBytes), inverse: toBytes(modInverse(r, key.n), key.modulusBytes) };
}

/** Finalize(pk, msg, blind_sig, inv) (RFC 9474 4.4): the signature, or an error when it does not verify. */
export function finalize(key: BlindRsaKey, message: Uint8Array, blindSignature: Uint8Array, inverse: Uint8Array): Uint8Array {
  if (blindSignature.length !== key.modulusBytes || inverse.length !== key.modulusBytes) throw new Error("a blind signature has the modulus's length");
  const signature = toBytes((toBigInt(blindSignature) * toBigInt(inverse)) % key.n, key.modulusBytes);
  if (!verifyPss(key, message, signature)) throw new Error("the server's blind signature does not verify");
  return signature;
}

/** RSASSA-PSS-VERIFY (RFC 8017 8.1.2, 9.1.2) with SHA-384, MGF1-SHA-384 and a 48-byte salt. */
export function verifyPss(key: BlindRsaKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== key.modulusBytes) return false;
  const s = toBigInt(signature);
  if (s >= key.n) return false;
  const emBits = key.bits - 1;
  const emLength = Math.ceil(emBits / 8);
  const m = modPow(s, key.e, key.n);
  if (m >= 1n << BigInt(8 * emLength)) return false;
  const em = toBytes(m, emLength);
  if (emLength < HASH_BYTES + SALT_BYTES + 2 || em[emLength - 1] !== 0xbc) return false;
  const dbLength = emLength - HASH_BYTES - 1;
  const h = em.subarray(dbLength, dbLength + HASH_BYTES);
  const zeroBits = 8 * emLength - emBits;
  if ((em[0]! >> (8 - zeroBits)) !== 0) return false;
  const db = mgf1(h, dbLength);
  for (let i = 0; i < dbLength; i++) db[i]! ^= em[i]!;
  db[0]! &= 0xff >> zeroBits;
  const separator = dbLength - SALT_BYTES - 1;
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  const salt = db.subarray(dbLength - SALT_BYTES);
  return equalBytes(h, sha384(concat(new Uint8Array(8), sha384(message), salt)));
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1) with SHA-384 and MGF1-SHA-384. */
export function encodePss(message: Uint8Array, salt: Uint8Array, emBits: number): Uint8Array {
  const emLength = Math.ceil(emBits / 8);
  if (emLength < HASH_BYTES + salt.length + 2) throw new Error("the modulus is too small for this PSS encoding");
  const h = sha384(concat(new Uint8Array(8), sha384(message), salt));
  const dbLength = emLength - HASH_BYTES - 1;
  const db = new Uint8Array(dbLength);
  db[dbLength - salt.length - 1] = 0x01;
  db.set(salt, dbLength - salt.length);
  const mask = mgf1(h, dbLength);
  for (let i = 0; i < dbLength; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLength - emBits);
  return concat(db, h, new Uint8Array([0xbc]));
}

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, offset = 0; offset < length; counter++, offset += HASH_BYTES) {
    const block = sha384(concat(seed, new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff])));
    out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset);
  }
  return out;
}

/** A uniform integer in [1, n): bit_len(n) random bits, drawn again when 0 or not below n. */
function randomBelow(n: bigint, bits: number, random: RandomSource): bigint {
  const length = Math.ceil(bits / 8);
  for (;;) {
    const bytes = random.bytes(length);
    bytes[0]! &= 0xff >> (8 * length - bits);
    const candidate = toBigInt(bytes);
    if (candidate > 0n && candidate < n) return candidate;
  }
}

export function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export function toBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  if (value !== 0n) throw new Error("integer too large for its length");
  return out;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

export function modInverse(a: bigint, modulus: bigint): bigint {
  let [oldR, r] = [a % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % modulus) + modulus) % modulus;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
