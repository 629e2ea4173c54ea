// Reproduces the C# onion packet vectors (tests/Purr.Client.Tests/Vectors/onion-v1.json) byte for byte (PROTOCOL.md 15.5):
// the packet from the same seeded randomness, what each hop sees when it peels, and the exit's answer as the client gets it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { dhKeyFromSecret, ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { buildOnion, openOnionReply, peelOnion, sealOnionReply, wrapOnionReply, PACKET_BYTES, type PeeledOnion } from "../src/protocol/onion-packet";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "onion-v1.json"));

test("onion packet vectors reproduce byte for byte, peel hop by hop and answer", async () => {
  await ready;
  const random = new SeededRandom(fromHex(vectors.seed));
  const secrets = [random.bytes(32), random.bytes(32), random.bytes(32)];
  const ephemeral = random.bytes(32);
  assert.equal(toHex(ephemeral), vectors.ephemeralSecret);
  const hops = vectors.hops as { x25519Secret: string; x25519Public: string; alpha: string; replayTag: string; replyMacKey: string; replyStreamKey: string; instruction: number; next: string }[];
  secrets.forEach((s, i) => assert.equal(toHex(dhKeyFromSecret(s).publicKey), hops[i].x25519Public));
  const next = [hops[0].next, hops[1].next];
  const { packet, keys } = buildOnion(secrets.map(s => dhKeyFromSecret(s).publicKey), next, fromHex(vectors.exitMessage), BigInt(vectors.sentAt), ephemeral, random);
  assert.equal(packet.length, PACKET_BYTES);
  assert.equal(toHex(packet), vectors.packet);

  let current = packet;
  const peeled: PeeledOnion[] = [];
  for (let i = 0; i < 3; i++) {
    assert.equal(toHex(current.subarray(1, 33)), hops[i].alpha);
    const layer = peelOnion(secrets[i], current)!;
    assert.ok(layer.macValid);
    assert.equal(toHex(layer.replayTag), hops[i].replayTag);
    assert.equal(toHex(keys[i].replyMacKey), hops[i].replyMacKey);
    assert.equal(toHex(keys[i].replyStreamKey), hops[i].replyStreamKey);
    assert.equal(layer.instruction, hops[i].instruction);
    assert.equal(layer.next, hops[i].next);
    peeled.push(layer);
    current = layer.inner;
  }
  assert.equal(toHex(current), vectors.exitMessage);

  const reply = sealOnionReply(peeled[2].keys, fromHex(vectors.answer));
  wrapOnionReply(peeled[1].keys, reply);
  wrapOnionReply(peeled[0].keys, reply);
  assert.equal(toHex(reply), vectors.replyAtClient);
  const opened = openOnionReply(keys, fromHex(vectors.replyAtClient))!;
  assert.equal(opened.hop, 2);
  assert.equal(toHex(opened.message), vectors.answer);

  const tampered = fromHex(vectors.packet);
  tampered[PACKET_BYTES - 1] ^= 1;
  assert.equal(peelOnion(secrets[0], tampered)!.macValid, false);
  assert.equal(peelOnion(secrets[1], fromHex(vectors.packet))!.macValid, false);
});
