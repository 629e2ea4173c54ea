// ML-KEM-768 (FIPS 203) from @noble/post-quantum, the same interface as the C# MlKem768: a
// decapsulation key is kept as its 64-byte seed (d ‖ z) and expanded when used; encapsulation draws
// its 32-byte message from a RandomSource so the cross-implementation vectors can fix it.
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import type { RandomSource } from "./random";

export const mlKemSeedBytes = 64;
export const mlKemPublicKeyBytes = 1184;
export const mlKemCiphertextBytes = 1088;
export const mlKemSecretBytes = 32;
const q = 3329;

/** The encapsulation key ek of the key pair a 64-byte seed expands to. */
export function mlKemPublicKey(seed: Uint8Array): Uint8Array {
  if (seed.length !== mlKemSeedBytes) throw new Error("an ML-KEM-768 seed is 64 bytes");
  return ml_kem768.keygen(seed).publicKey;
}

/** The expanded decapsulation key dk (2400 bytes); for checking key generation against vectors. */
export function mlKemSecretKey(seed: Uint8Array): Uint8Array {
  if (seed.length !== mlKemSeedBytes) throw new Error("an ML-KEM-768 seed is 64 bytes");
  return ml_kem768.keygen(seed).secretKey;
}

/** FIPS 203 section 7.2: the length, and every 12-bit coefficient of t̂ below q (the modulus check). */
export function isValidMlKemPublicKey(key: Uint8Array): boolean {
  if (key.length !== mlKemPublicKeyBytes) return false;
  for (let i = 0; i < mlKemPublicKeyBytes - 32; i += 3) {
    const first = key[i]! | ((key[i + 1]! & 0x0f) << 8);
    const second = (key[i + 1]! >> 4) | (key[i + 2]! << 4);
    if (first >= q || second >= q) return false;
  }
  return true;
}

/** Encapsulates to a key; null when the key fails FIPS 203's input checks. */
export function mlKemEncapsulate(publicKey: Uint8Array, random: RandomSource): { ciphertext: Uint8Array; secret: Uint8Array } | null {
  if (!isValidMlKemPublicKey(publicKey)) return null;
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, random.bytes(32));
  return { ciphertext: cipherText, secret: sharedSecret };
}

/**
 * The shared secret for a ciphertext; null only for one of the wrong length. A changed ciphertext of the
 * right length yields an unrelated secret (implicit rejection), noticed when the derived key opens nothing.
 */
export function mlKemDecapsulate(seed: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  if (ciphertext.length !== mlKemCiphertextBytes) return null;
  return ml_kem768.decapsulate(ciphertext, mlKemSecretKey(seed));
}
