// Mailbox keys (PROTOCOL.md 4, "Mailbox keys"): a keyed BLAKE2b-256 MAC in place of the recipient's signature on a
// request, and of the server's signature in the hello, for a client that holds the mailbox's key.
import { blake2bKeyed, constantTimeEqual, dhKeyFromSecret, randomBytes, sealedBoxOpen, type DhKeyPair, KEY_BYTES } from "../crypto/sodium";
import { withContext } from "./bytes";

export const MAILBOX_KEY_BYTES = 32;
export const MAILBOX_MAC_BYTES = 32;

/** A mailbox's key from its server, as secret as the recipient key; `receiveId` names the mailbox it proves. */
export interface MailboxCredential { readonly receiveId: Uint8Array; readonly key: Uint8Array }

function requireKey(key: Uint8Array): void {
  if (key.length !== MAILBOX_KEY_BYTES) throw new RangeError(`a mailbox key must be ${MAILBOX_KEY_BYTES} bytes, not ${key.length}`);
}

/** HelloAccepted.mac: over session_nonce ‖ client_nonce. */
export function helloMac(key: Uint8Array, sessionNonce: Uint8Array, clientNonce: Uint8Array): Uint8Array {
  requireKey(key);
  return blake2bKeyed(withContext("purr/v1 hello mac", sessionNonce, clientNonce), MAILBOX_MAC_BYTES, key);
}

/** ClientFrame.mailbox_mac: over session_nonce ‖ ClientFrame.request as sent. */
export function mailboxMac(key: Uint8Array, sessionNonce: Uint8Array, request: Uint8Array): Uint8Array {
  requireKey(key);
  return blake2bKeyed(withContext("purr/v1 mailbox mac", sessionNonce, request), MAILBOX_MAC_BYTES, key);
}

/** True when `received` is the expected MAC, compared in constant time. */
export function macMatches(expected: Uint8Array, received: Uint8Array): boolean {
  return received.length === MAILBOX_MAC_BYTES && constantTimeEqual(expected, received);
}

/** A fresh X25519 key pair for one GetMailboxKey request: the answer comes sealed to its public half. */
export function newBoxKey(): DhKeyPair {
  return dhKeyFromSecret(randomBytes(KEY_BYTES));
}

/** The mailbox key in MailboxKey.sealed_key, or null when it does not open with `box` or is not 32 bytes. */
export function openMailboxKey(sealedKey: Uint8Array, box: DhKeyPair): Uint8Array | null {
  const key = sealedBoxOpen(sealedKey, box);
  return key !== null && key.length === MAILBOX_KEY_BYTES ? key : null;
}
