// The browser's ML-KEM-768 against Wycheproof's vectors in ../shared (the C# tests use the same files).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { mlKemDecapsulate, mlKemEncapsulate, mlKemPublicKey, mlKemSecretKey, mlKemSeedBytes } from "../src/crypto/mlkem";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, sharedRoot } from "./paths";

const load = (name: string) => readJson(resolve(sharedRoot, "vectors", "wycheproof", name));
const fixed = (bytes: Uint8Array) => ({ bytes: (length: number) => bytes.slice(0, length) });

test("ML-KEM-768 key generation from a seed: every Wycheproof vector", () => {
  let checked = 0;
  for (const group of load("mlkem_768_keygen_seed_test.json").testGroups) {
    for (const t of group.tests) {
      assert.equal(t.result, "valid");
      assert.equal(toHex(mlKemPublicKey(fromHex(t.seed))), t.ek, `tc ${t.tcId}`);
      assert.equal(toHex(mlKemSecretKey(fromHex(t.seed))), t.dk, `tc ${t.tcId}`);
      checked++;
    }
  }
  assert.equal(checked, 100);
});

test("ML-KEM-768 encapsulation with a fixed message: every Wycheproof vector", () => {
  let checked = 0;
  for (const group of load("mlkem_768_encaps_test.json").testGroups) {
    for (const t of group.tests) {
      const result = mlKemEncapsulate(fromHex(t.ek), fixed(fromHex(t.m)));
      if (t.result === "valid") {
        assert.ok(result, `tc ${t.tcId}`);
        assert.equal(toHex(result.ciphertext), t.c, `tc ${t.tcId}`);
        assert.equal(toHex(result.secret), t.K, `tc ${t.tcId}`);
      } else {
        assert.equal(result, null, `tc ${t.tcId}`);
      }
      checked++;
    }
  }
  assert.equal(checked, 265);
});

test("ML-KEM-768 decapsulation: every Wycheproof vector", () => {
  let checked = 0;
  for (const group of load("mlkem_768_test.json").testGroups) {
    for (const t of group.tests) {
      const seed = fromHex(t.seed);
      if (t.result === "valid") {
        if (t.ek) assert.equal(toHex(mlKemPublicKey(seed)), t.ek, `tc ${t.tcId}`);
        const secret = mlKemDecapsulate(seed, fromHex(t.c));
        assert.equal(secret && toHex(secret), t.K, `tc ${t.tcId}`);
      } else {
        const refused = seed.length !== mlKemSeedBytes || mlKemDecapsulate(seed, fromHex(t.c)) === null;
        assert.ok(refused, `tc ${t.tcId}`);
      }
      checked++;
    }
  }
  assert.equal(checked, 193);
});
