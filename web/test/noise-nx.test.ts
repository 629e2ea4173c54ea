// The browser's Noise_NX initiator (relayed connections, PROTOCOL.md 15.6) against the Cacophony vector the C#
// implementation reproduces (tests/Purr.Crypto.Tests/Vectors/noise-nx.json): the handshake, its hash, and every
// transport message after it, both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ready } from "../src/crypto/sodium";
import { systemRandom } from "../src/crypto/random";
import { NoiseNxInitiator } from "../src/crypto/noise-nx";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const file = readJson(resolve(repositoryRoot, "tests", "Purr.Crypto.Tests", "Vectors", "noise-nx.json"));

test("Noise_NX initiator reproduces the Cacophony vector", async () => {
  await ready;
  const vector = file.vectors[0] as { init_prologue: string; init_ephemeral: string; handshake_hash: string; messages: { payload: string; ciphertext: string }[] };
  const noise = new NoiseNxInitiator(fromHex(vector.init_prologue), systemRandom, fromHex(vector.init_ephemeral));
  assert.equal(toHex(noise.writeFirst(fromHex(vector.messages[0].payload))), vector.messages[0].ciphertext);
  const payload = noise.readSecond(fromHex(vector.messages[1].ciphertext));
  assert.ok(payload);
  assert.equal(toHex(payload), vector.messages[1].payload);
  assert.equal(toHex(noise.handshakeHash), vector.handshake_hash);
  const [send, receive] = noise.split();
  for (let i = 2; i < vector.messages.length; i++) {
    const message = vector.messages[i];
    if (i % 2 === 0) {
      assert.equal(toHex(send.encrypt(new Uint8Array(0), fromHex(message.payload))), message.ciphertext);
    } else {
      assert.equal(toHex(receive.decrypt(new Uint8Array(0), fromHex(message.ciphertext))!), message.payload);
    }
  }
});

test("a changed second message or transport message does not authenticate", async () => {
  await ready;
  const vector = file.vectors[0] as { init_prologue: string; init_ephemeral: string; messages: { payload: string; ciphertext: string }[] };
  const tampered = fromHex(vector.messages[1].ciphertext);
  tampered[40] ^= 1;
  const noise = new NoiseNxInitiator(fromHex(vector.init_prologue), systemRandom, fromHex(vector.init_ephemeral));
  noise.writeFirst(fromHex(vector.messages[0].payload));
  assert.equal(noise.readSecond(tampered), null);
  assert.equal(noise.remoteStaticKey, null);

  const good = new NoiseNxInitiator(fromHex(vector.init_prologue), systemRandom, fromHex(vector.init_ephemeral));
  good.writeFirst(fromHex(vector.messages[0].payload));
  good.readSecond(fromHex(vector.messages[1].ciphertext));
  const [, receive] = good.split();
  const transport = fromHex(vector.messages[3].ciphertext);
  transport[0] ^= 1;
  assert.equal(receive.decrypt(new Uint8Array(0), transport), null);
  // The nonce did not advance: the real message still opens.
  assert.equal(toHex(receive.decrypt(new Uint8Array(0), fromHex(vector.messages[3].ciphertext))!), vector.messages[3].payload);
});
