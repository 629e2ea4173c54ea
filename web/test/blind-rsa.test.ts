// The browser's RFC 9474 client half against the RFC's own vectors (the file the C# tests read), step by
// step; the signer's step uses the vector's private exponent here, as the C# server does with its key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { blind, blindWith, encodePss, finalize, keyFromWire, modInverse, modPow, toBigInt, toBytes, verifyPss } from "../src/crypto/blind-rsa";
import { systemRandom } from "../src/crypto/random";
import { ready } from "../src/crypto/sodium";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Crypto.Tests", "Vectors", "rfc9474.json")).vectors as Record<string, string>[];

test("RFC 9474: blind, sign, finalize and verify reproduce every vector", async () => {
  await ready;
  assert.equal(vectors.length, 2);
  for (const v of vectors) {
    const key = keyFromWire(fromHex(v.n!), fromHex(v.e!))!;
    assert.ok(key, v.name);
    const message = fromHex(v.prepared_msg!);
    if (v.encoded_msg) assert.equal(toHex(encodePss(message, fromHex(v.salt!), key.bits - 1)), v.encoded_msg, v.name);
    const r = modInverse(toBigInt(fromHex(v.inv!)), key.n);
    const blinded = blindWith(key, message, fromHex(v.salt!), r);
    assert.equal(toHex(blinded.message), v.blinded_msg, v.name);
    assert.equal(toHex(blinded.inverse), v.inv, v.name);
    const blindSig = toBytes(modPow(toBigInt(blinded.message), toBigInt(fromHex(v.d!)), key.n), key.modulusBytes);
    assert.equal(toHex(blindSig), v.blind_sig, v.name);
    assert.equal(toHex(finalize(key, message, blindSig, blinded.inverse)), v.sig, v.name);
    assert.ok(verifyPss(key, message, fromHex(v.sig!)));
  }
});

test("RFC 9474: a random blinding round-trips, and wrong messages, signatures and keys are refused", async () => {
  await ready;
  const v = vectors[0]!;
  const key = keyFromWire(fromHex(v.n!), fromHex(v.e!))!;
  const d = toBigInt(fromHex(v.d!));
  const message = systemRandom.bytes(64);
  const blinded = blind(key, message, systemRandom);
  const blindSig = toBytes(modPow(toBigInt(blinded.message), d, key.n), key.modulusBytes);
  const signature = finalize(key, message, blindSig, blinded.inverse);
  assert.ok(verifyPss(key, message, signature));
  assert.notEqual(toHex(signature), toHex(blindSig));
  const altered = message.slice();
  altered[0]! ^= 1;
  assert.equal(verifyPss(key, altered, signature), false);
  const flipped = signature.slice();
  flipped[10]! ^= 1;
  assert.equal(verifyPss(key, message, flipped), false);
  assert.equal(verifyPss(key, message, signature.subarray(1)), false);
  assert.throws(() => finalize(key, altered, blindSig, blinded.inverse), /does not verify/);
  assert.equal(keyFromWire(fromHex(v.n!).subarray(0, 128), fromHex(v.e!)), null);
  assert.equal(keyFromWire(fromHex(v.n!), new Uint8Array([1])), null);
  assert.equal(keyFromWire(new Uint8Array([0, ...fromHex(v.n!)]), fromHex(v.e!)), null);
});
