// Onion packets (PROTOCOL.md section 15.5): Sphinx as BOLT 4 instantiates it, with X25519, fixed 384-byte hop frames
// and a MAC per hop over the routing information and the payload. The same construction as the C# OnionPacket,
// checked against its vectors (tests/Purr.Client.Tests/Vectors/onion-v1.json) by the Node tests.
import { agree, chacha20Xor, constantTimeEqual, dhKeyFromSecret, hkdfSha256, hmacSha256, sha256 } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";
import { concat, readU32be, u32be } from "./bytes";

export const VERSION = 0x01;
export const MAX_HOPS = 5;
export const FRAME_BYTES = 384;
export const ROUTING_BYTES = MAX_HOPS * FRAME_BYTES;
const MAC_BYTES = 32;
const KEY_BYTES = 32;
export const PACKET_BYTES = 24_576;
export const HEADER_BYTES = 1 + KEY_BYTES + ROUTING_BYTES + MAC_BYTES;
export const PAYLOAD_BYTES = PACKET_BYTES - HEADER_BYTES;
export const REPLY_BYTES = 24_576;
export const MAX_ADDRESS_BYTES = FRAME_BYTES - 1 - 8 - 2 - MAC_BYTES;
export const MAX_EXIT_MESSAGE_BYTES = PAYLOAD_BYTES - 4;
export const MAX_REPLY_MESSAGE_BYTES = REPLY_BYTES - MAC_BYTES - 4;
const FORWARD = 0x01;
const EXIT = 0x02;

const ROUTING_OFFSET = 1 + KEY_BYTES;
const MAC_OFFSET = ROUTING_OFFSET + ROUTING_BYTES;
const PAYLOAD_OFFSET = MAC_OFFSET + MAC_BYTES;
const text = new TextEncoder();

/** A hop's answer keys, which the client keeps to open the route's answer. */
export interface OnionHopKeys { readonly replyMacKey: Uint8Array; readonly replyStreamKey: Uint8Array }

/** What a hop learns by removing its layer. */
export interface PeeledOnion {
  readonly keys: OnionHopKeys;
  readonly replayTag: Uint8Array;
  readonly macValid: boolean;
  readonly instruction: number;
  readonly sentAt: bigint;
  readonly next: string;
  readonly inner: Uint8Array;
}

interface LayerKeys { routing: Uint8Array; mac: Uint8Array; payload: Uint8Array; replyMac: Uint8Array; replyStream: Uint8Array }

function label(name: string): Uint8Array {
  return concat(text.encode(name), Uint8Array.of(0));
}

function layerKeys(secret: Uint8Array, alpha: Uint8Array): LayerKeys {
  const okm = hkdfSha256(secret, new Uint8Array(32), concat(label("purr/v1 onion keys"), alpha), 160);
  return { routing: okm.slice(0, 32), mac: okm.slice(32, 64), payload: okm.slice(64, 96), replyMac: okm.slice(96, 128), replyStream: okm.slice(128, 160) };
}

function blind(alpha: Uint8Array, secret: Uint8Array): Uint8Array {
  return sha256(label("purr/v1 onion blind"), alpha, secret);
}

function keystream(key: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  chacha20Xor(key, out);
  return out;
}

function xorInto(target: Uint8Array, stream: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] ^= stream[i];
}

/**
 * Builds a packet through hops with X25519 keys hopKeys (first hop first): hop i forwards to nextAddresses[i], the
 * last acts on exitMessage. The routing padding comes from random; ephemeralSecret is used for this packet only.
 */
export function buildOnion(
  hopKeys: readonly Uint8Array[], nextAddresses: readonly string[], exitMessage: Uint8Array, sentAt: bigint,
  ephemeralSecret: Uint8Array, random: RandomSource,
): { packet: Uint8Array; keys: OnionHopKeys[] } {
  const hops = hopKeys.length;
  if (hops < 1 || hops > MAX_HOPS) throw new RangeError(`a route has 1 to ${MAX_HOPS} hops`);
  if (nextAddresses.length !== hops - 1) throw new RangeError("every hop but the last needs the address of the next");
  if (exitMessage.length > MAX_EXIT_MESSAGE_BYTES) throw new RangeError(`an onion packet's payload holds at most ${MAX_EXIT_MESSAGE_BYTES} bytes`);

  const alphas: Uint8Array[] = [dhKeyFromSecret(ephemeralSecret).publicKey];
  const keys: LayerKeys[] = [];
  const blinds: Uint8Array[] = [];
  for (let i = 0; i < hops; i++) {
    let secret = agree(ephemeralSecret, hopKeys[i]);
    for (const b of blinds) secret = secret && agree(b, secret);
    if (!secret) throw new RangeError(`hop ${i + 1}'s X25519 key is invalid`);
    keys.push(layerKeys(secret, alphas[i]));
    const b = blind(alphas[i], secret);
    blinds.push(b);
    if (i + 1 < hops) {
      const next = agree(b, alphas[i]);
      if (!next) throw new RangeError("blinding failed");
      alphas.push(next);
    }
  }

  const filler = new Uint8Array((hops - 1) * FRAME_BYTES);
  for (let i = 1; i < hops; i++) {
    const stream = keystream(keys[i - 1].routing, ROUTING_BYTES + FRAME_BYTES);
    xorInto(filler.subarray(0, i * FRAME_BYTES), stream.subarray(ROUTING_BYTES - (i - 1) * FRAME_BYTES));
  }

  let routing = random.bytes(ROUTING_BYTES);
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(u32be(exitMessage.length), 0);
  payload.set(exitMessage, 4);
  let nextMac: Uint8Array = new Uint8Array(MAC_BYTES);
  for (let i = hops - 1; i >= 0; i--) {
    const shifted = new Uint8Array(ROUTING_BYTES);
    shifted.set(frame(i === hops - 1 ? EXIT : FORWARD, sentAt, i === hops - 1 ? "" : nextAddresses[i], nextMac), 0);
    shifted.set(routing.subarray(0, ROUTING_BYTES - FRAME_BYTES), FRAME_BYTES);
    routing = shifted;
    xorInto(routing, keystream(keys[i].routing, ROUTING_BYTES));
    if (i === hops - 1) routing.set(filler, ROUTING_BYTES - filler.length);
    chacha20Xor(keys[i].payload, payload);
    nextMac = hmacSha256(keys[i].mac, routing, payload);
  }

  const packet = concat(Uint8Array.of(VERSION), alphas[0], routing, nextMac, payload);
  return { packet, keys: keys.map(k => ({ replyMacKey: k.replyMac, replyStreamKey: k.replyStream })) };
}

function frame(instruction: number, sentAt: bigint, address: string, nextMac: Uint8Array): Uint8Array {
  const bytes = text.encode(address);
  if (bytes.length > MAX_ADDRESS_BYTES) throw new RangeError(`a hop's address is at most ${MAX_ADDRESS_BYTES} bytes in UTF-8`);
  const out = new Uint8Array(FRAME_BYTES);
  const view = new DataView(out.buffer);
  out[0] = instruction;
  view.setBigInt64(1, sentAt);
  view.setUint16(9, bytes.length);
  out.set(bytes, 11);
  out.set(nextMac, FRAME_BYTES - MAC_BYTES);
  return out;
}

/** A hop removes its layer (what purrd does; here for the vectors). Null when no layer of this hop can be in it. */
export function peelOnion(hopSecret: Uint8Array, packet: Uint8Array): PeeledOnion | null {
  if (packet.length !== PACKET_BYTES || packet[0] !== VERSION) return null;
  const alpha = packet.slice(1, ROUTING_OFFSET);
  const secret = agree(hopSecret, alpha);
  if (!secret) return null;
  const keys = layerKeys(secret, alpha);
  const replayTag = sha256(label("purr/v1 onion replay"), secret);
  const hopKeys = { replyMacKey: keys.replyMac, replyStreamKey: keys.replyStream };
  const routing = packet.subarray(ROUTING_OFFSET, MAC_OFFSET);
  const payload = packet.subarray(PAYLOAD_OFFSET);
  const refused = (macValid: boolean): PeeledOnion => ({ keys: hopKeys, replayTag, macValid, instruction: 0, sentAt: 0n, next: "", inner: new Uint8Array(0) });
  if (!constantTimeEqual(hmacSha256(keys.mac, routing, payload), packet.subarray(MAC_OFFSET, PAYLOAD_OFFSET))) return refused(false);

  const shifted = new Uint8Array(ROUTING_BYTES + FRAME_BYTES);
  shifted.set(routing, 0);
  xorInto(shifted, keystream(keys.routing, ROUTING_BYTES + FRAME_BYTES));
  const view = new DataView(shifted.buffer);
  const instruction = shifted[0];
  const sentAt = view.getBigInt64(1);
  const length = view.getUint16(9);
  const inner = payload.slice();
  chacha20Xor(keys.payload, inner);
  if (instruction === EXIT) {
    const size = readU32be(inner, 0);
    return size > PAYLOAD_BYTES - 4 ? refused(true) : { keys: hopKeys, replayTag, macValid: true, instruction, sentAt, next: "", inner: inner.slice(4, 4 + size) };
  }

  if (instruction !== FORWARD || length > MAX_ADDRESS_BYTES) return refused(true);
  const nextAlpha = agree(blind(alpha, secret), alpha);
  if (!nextAlpha) return refused(true);
  const next = new TextDecoder("utf-8", { fatal: true }).decode(shifted.subarray(11, 11 + length));
  const packetOut = concat(Uint8Array.of(VERSION), nextAlpha, shifted.subarray(FRAME_BYTES), shifted.subarray(FRAME_BYTES - MAC_BYTES, FRAME_BYTES), inner);
  return { keys: hopKeys, replayTag, macValid: true, instruction, sentAt, next, inner: packetOut };
}

/** The answer a hop originates: HMAC ‖ u32 length ‖ message ‖ zeros, then XOR with its stream. */
export function sealOnionReply(keys: OnionHopKeys, message: Uint8Array): Uint8Array {
  if (message.length > MAX_REPLY_MESSAGE_BYTES) throw new RangeError(`an onion answer holds at most ${MAX_REPLY_MESSAGE_BYTES} bytes`);
  const reply = new Uint8Array(REPLY_BYTES);
  reply.set(u32be(message.length), MAC_BYTES);
  reply.set(message, MAC_BYTES + 4);
  reply.set(hmacSha256(keys.replyMacKey, reply.subarray(MAC_BYTES)), 0);
  chacha20Xor(keys.replyStreamKey, reply);
  return reply;
}

/** A hop on the way back adds its layer (in place). */
export function wrapOnionReply(keys: OnionHopKeys, reply: Uint8Array): void {
  if (reply.length !== REPLY_BYTES) throw new RangeError(`onion answers are ${REPLY_BYTES} bytes`);
  chacha20Xor(keys.replyStreamKey, reply);
}

/** The client removes the layers first hop first, until one hop's MAC holds. Null when none does. */
export function openOnionReply(keys: readonly OnionHopKeys[], reply: Uint8Array): { hop: number; message: Uint8Array } | null {
  if (reply.length !== REPLY_BYTES) return null;
  const open = reply.slice();
  for (let hop = 0; hop < keys.length; hop++) {
    chacha20Xor(keys[hop].replyStreamKey, open);
    if (constantTimeEqual(hmacSha256(keys[hop].replyMacKey, open.subarray(MAC_BYTES)), open.subarray(0, MAC_BYTES))) {
      const length = readU32be(open, MAC_BYTES);
      return length <= MAX_REPLY_MESSAGE_BYTES ? { hop, message: open.slice(MAC_BYTES + 4, MAC_BYTES + 4 + length) } : null;
    }
  }

  return null;
}
