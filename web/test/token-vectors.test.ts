// Reproduces the C# creation-token vectors (tests/Purr.Client.Tests/Vectors/tokens-v1.json) byte for byte: the
// browser draws the nonce and blinds the token message in the same order from the same seeded randomness, and
// finalizes the server's blind signatures into the same tokens (PROTOCOL.md section 13).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { blind, finalize, keyFromWire, verifyPss } from "../src/crypto/blind-rsa";
import { SeededRandom } from "../src/crypto/random";
import { ready } from "../src/crypto/sodium";
import { fromHex, toHex } from "../src/protocol/bytes";
import { creationToken, tokenKey } from "../src/protocol/signed-bytes";
import { readJson, repositoryRoot } from "./paths";

const vector = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "tokens-v1.json"));

test("creation tokens: key id, token messages, blindings and finalized tokens match the C# vectors", async () => {
  await ready;
  const key = keyFromWire(fromHex(vector.modulus), fromHex(vector.exponent))!;
  assert.equal(toHex(key.keyId), vector.keyId);
  assert.equal(toHex(tokenKey(key.keyId)), vector.tokenKeySignedBytes);
  const random = new SeededRandom(fromHex(vector.seed));
  assert.equal(vector.tokens.length, 2);
  for (const expected of vector.tokens as Record<string, string>[]) {
    const nonce = random.bytes(32);
    assert.equal(toHex(nonce), expected.nonce);
    const message = creationToken(key.keyId, nonce);
    assert.equal(toHex(message), expected.message);
    const blinded = blind(key, message, random);
    assert.equal(toHex(blinded.message), expected.blindedMessage);
    assert.equal(toHex(blinded.inverse), expected.inverse);
    const signature = finalize(key, message, fromHex(expected.blindSignature!), blinded.inverse);
    assert.equal(toHex(signature), expected.signature);
    assert.ok(verifyPss(key, message, signature));
  }
});
