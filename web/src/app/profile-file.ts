// The profile as one encrypted blob, in the CLI's file format (PROTOCOL.md section 9):
// "PURRPRF1" || 0x01 || salt (16) || opslimit (u32 BE) || memlimit (u32 BE) || nonce (24)
// || XChaCha20-Poly1305(key, nonce, JSON, ad = everything before the nonce), key = Argon2id(passphrase).
import { aeadDecrypt, aeadEncrypt, argon2id, randomBytes, ARGON2ID_INTERACTIVE } from "../crypto/sodium";
import { concat, readU32be, u32be, utf8 } from "../protocol/bytes";

const magic = utf8("PURRPRF1");
const headerBytes = magic.length + 1 + 16 + 4 + 4;

export class WrongPassphraseError extends Error {
  constructor() {
    super("wrong passphrase (or the stored profile is damaged)");
  }
}

/** The unlocked key and its header; each save uses a fresh nonce under the same key. */
export interface ProfileKey { key: Uint8Array; header: Uint8Array }

export function newProfileKey(passphrase: string): ProfileKey {
  const salt = randomBytes(16);
  const { opsLimit, memLimit } = ARGON2ID_INTERACTIVE;
  const header = concat(magic, Uint8Array.of(1), salt, u32be(opsLimit), u32be(memLimit));
  return { key: argon2id(passphrase, salt, opsLimit, memLimit), header };
}

export function sealProfile(key: ProfileKey, json: string): Uint8Array {
  const nonce = randomBytes(24);
  return concat(key.header, nonce, aeadEncrypt(key.key, nonce, utf8(json), key.header));
}

export function openProfile(blob: Uint8Array, passphrase: string): { json: string; key: ProfileKey } {
  if (blob.length < headerBytes + 24 + 16 || !magic.every((b, i) => blob[i] === b) || blob[magic.length] !== 1) {
    throw new Error("the stored profile is not a Purr profile");
  }
  const header = blob.slice(0, headerBytes);
  const salt = header.slice(magic.length + 1, magic.length + 17);
  const opsLimit = readU32be(header, magic.length + 17);
  const memLimit = readU32be(header, magic.length + 21);
  if (opsLimit < 1 || opsLimit > 16 || memLimit < 8192 || memLimit > 1024 * 1024 * 1024) throw new Error("the stored profile has unusable key-derivation settings");
  const key = argon2id(passphrase, salt, opsLimit, memLimit);
  const json = aeadDecrypt(key, blob.subarray(headerBytes, headerBytes + 24), blob.subarray(headerBytes + 24), header);
  if (!json) throw new WrongPassphraseError();
  return { json: new TextDecoder().decode(json), key: { key, header } };
}
