// The browser's primitives against the Wycheproof vectors in ../shared (the C# tests use the same files).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { aeadDecrypt, aeadEncrypt, agree, hkdfSha256, ready, verify } from "../src/crypto/sodium";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, sharedRoot } from "./paths";

const load = (name: string) => readJson(resolve(sharedRoot, "vectors", "wycheproof", name));

test("HKDF-SHA256: every Wycheproof vector", async () => {
  await ready;
  let checked = 0;
  for (const group of load("hkdf_sha256_test.json").testGroups) {
    for (const t of group.tests) {
      if (t.result === "invalid") {
        assert.throws(() => hkdfSha256(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size), `tc ${t.tcId}`);
      } else {
        assert.equal(toHex(hkdfSha256(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size)), t.okm, `tc ${t.tcId}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 50);
});

test("XChaCha20-Poly1305: every Wycheproof vector", async () => {
  await ready;
  for (const group of load("xchacha20_poly1305_test.json").testGroups) {
    if (group.keySize !== 256 || group.ivSize !== 192 || group.tagSize !== 128) continue;
    for (const t of group.tests) {
      const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(fromHex) as Uint8Array[];
      const opened = aeadDecrypt(key!, iv!, new Uint8Array([...ct!, ...tag!]), aad!);
      if (t.result === "valid") {
        assert.equal(toHex(aeadEncrypt(key!, iv!, msg!, aad!)), t.ct + t.tag, `tc ${t.tcId}`);
        assert.equal(opened && toHex(opened), t.msg, `tc ${t.tcId}`);
      } else {
        assert.equal(opened, null, `tc ${t.tcId}`);
      }
    }
  }
});

test("Ed25519 verification: every Wycheproof vector", async () => {
  await ready;
  for (const group of load("ed25519_test.json").testGroups) {
    const publicKey = fromHex(group.publicKey?.pk ?? group.key.pk);
    for (const t of group.tests) {
      assert.equal(verify(publicKey, fromHex(t.msg), fromHex(t.sig)), t.result === "valid", `tc ${t.tcId}`);
    }
  }
});

test("X25519: every Wycheproof vector (a zero shared secret is refused)", async () => {
  await ready;
  for (const group of load("x25519_test.json").testGroups) {
    for (const t of group.tests) {
      const shared = agree(fromHex(t.private), fromHex(t.public));
      if (/^0+$/.test(t.shared)) assert.equal(shared, null, `tc ${t.tcId}`);
      else if (t.result !== "invalid") assert.equal(shared && toHex(shared), t.shared, `tc ${t.tcId}`);
    }
  }
});
