// Relay packets (PROTOCOL.md section 15.3): one request sealed to a destination server's X25519 key, carried by the
// page's own server, and the destination's answer sealed back. Every packet is 20,480 bytes whatever it holds.
import { aeadDecrypt, aeadEncrypt, agree, dhKeyFromSecret, hkdfSha256, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";
import { concat, readU32be, u32be, withContext } from "./bytes";

export const PACKET_BYTES = 20_480;
const KEY_BYTES = 32;
export const REQUEST_BODY_BYTES = PACKET_BYTES - KEY_BYTES - AEAD_NONCE_BYTES - AEAD_TAG_BYTES;
export const RESPONSE_BODY_BYTES = PACKET_BYTES - AEAD_NONCE_BYTES - AEAD_TAG_BYTES;
export const MAX_REQUEST_MESSAGE_BYTES = REQUEST_BODY_BYTES - 4;

/** What the sender keeps to open the answer. */
export interface ReplyKey { readonly ephemeralKey: Uint8Array; readonly responseKey: Uint8Array }

/** A fresh ephemeral key pair for one packet (its public key stands for the session nonce in the signatures inside). */
export function newEphemeral(random: RandomSource) {
  return dhKeyFromSecret(random.bytes(KEY_BYTES));
}

/** HKDF-SHA256(DH, salt 32 zero bytes, "purr/v1 relay packet" ‖ 0x00 ‖ E ‖ S, 64): request key ‖ response key. */
function keys(shared: Uint8Array, ephemeralKey: Uint8Array, serverKey: Uint8Array) {
  const out = hkdfSha256(shared, new Uint8Array(32), withContext("purr/v1 relay packet", ephemeralKey, serverKey), 2 * KEY_BYTES);
  return { request: out.slice(0, KEY_BYTES), response: out.slice(KEY_BYTES) };
}

function body(message: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(u32be(message.length), 0);
  out.set(message, 4);
  return out;
}

function unframe(plain: Uint8Array): Uint8Array | null {
  const length = readU32be(plain, 0);
  return length <= plain.length - 4 ? plain.slice(4, 4 + length) : null;
}

/** E ‖ nonce ‖ XChaCha20-Poly1305(k_req, nonce, body, ad = "purr/v1 relay request" ‖ 0x00 ‖ E ‖ S). */
export function sealRelayPacket(serverKey: Uint8Array, ephemeral: { secret: Uint8Array; publicKey: Uint8Array }, message: Uint8Array, random: RandomSource): { packet: Uint8Array; reply: ReplyKey } {
  if (message.length > MAX_REQUEST_MESSAGE_BYTES) throw new Error(`a relayed request holds at most ${MAX_REQUEST_MESSAGE_BYTES} bytes`);
  const shared = agree(ephemeral.secret, serverKey);
  if (!shared) throw new Error("the server's X25519 key is invalid");
  const k = keys(shared, ephemeral.publicKey, serverKey);
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  const ciphertext = aeadEncrypt(k.request, nonce, body(message, REQUEST_BODY_BYTES), withContext("purr/v1 relay request", ephemeral.publicKey, serverKey));
  return { packet: concat(ephemeral.publicKey, nonce, ciphertext), reply: { ephemeralKey: ephemeral.publicKey, responseKey: k.response } };
}

/** The destination's side (tests): the message and the reply key, or null. */
export function openRelayPacket(serverSecret: Uint8Array, packet: Uint8Array): { message: Uint8Array; reply: ReplyKey } | null {
  if (packet.length !== PACKET_BYTES) return null;
  const ephemeralKey = packet.slice(0, KEY_BYTES);
  const shared = agree(serverSecret, ephemeralKey);
  if (!shared) return null;
  const serverKey = dhKeyFromSecret(serverSecret).publicKey;
  const k = keys(shared, ephemeralKey, serverKey);
  const plain = aeadDecrypt(k.request, packet.slice(KEY_BYTES, KEY_BYTES + AEAD_NONCE_BYTES), packet.slice(KEY_BYTES + AEAD_NONCE_BYTES), withContext("purr/v1 relay request", ephemeralKey, serverKey));
  const message = plain ? unframe(plain) : null;
  return message ? { message, reply: { ephemeralKey, responseKey: k.response } } : null;
}

/** nonce ‖ XChaCha20-Poly1305(k_resp, nonce, body, ad = "purr/v1 relay response" ‖ 0x00 ‖ E). */
export function sealRelayResponse(reply: ReplyKey, message: Uint8Array, random: RandomSource): Uint8Array {
  const nonce = random.bytes(AEAD_NONCE_BYTES);
  return concat(nonce, aeadEncrypt(reply.responseKey, nonce, body(message, RESPONSE_BODY_BYTES), withContext("purr/v1 relay response", reply.ephemeralKey)));
}

export function openRelayResponse(reply: ReplyKey, packet: Uint8Array): Uint8Array | null {
  if (packet.length !== PACKET_BYTES) return null;
  const plain = aeadDecrypt(reply.responseKey, packet.slice(0, AEAD_NONCE_BYTES), packet.slice(AEAD_NONCE_BYTES), withContext("purr/v1 relay response", reply.ephemeralKey));
  return plain ? unframe(plain) : null;
}

