// The 60-digit safety code (PROTOCOL.md 10.6), after Signal's numeric fingerprint.
import { sha512 } from "../crypto/sodium";
import { concat } from "../protocol/bytes";

const iterations = 5200;

function half(key: Uint8Array): string {
  let hash = sha512(concat(Uint8Array.of(0, 1), key));
  for (let i = 0; i < iterations; i++) hash = sha512(concat(hash, key));
  let digits = "";
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0n;
    for (let i = 0; i < 5; i++) value = (value << 8n) | BigInt(hash[chunk * 5 + i]!);
    digits += (value % 100000n).toString().padStart(5, "0");
  }
  return digits;
}

export function safetyCode(myIdentityKey: Uint8Array, theirIdentityKey: Uint8Array): string {
  const mine = half(myIdentityKey);
  const theirs = half(theirIdentityKey);
  return mine <= theirs ? mine + theirs : theirs + mine;
}

/** Twelve groups of five digits, for reading aloud. */
export function formatSafetyCode(code: string): string {
  return code.match(/.{5}/g)?.join(" ") ?? code;
}
