// Reproduces the C# presence vectors (tests/Purr.Client.Tests/Vectors/presence-v1.json) byte for byte (PROTOCOL.md 10.9).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { openPresence, sealPresence } from "../src/e2e/presence";
import { PresencePlaintextSchema, PresenceSealedSchema, PresenceStatus } from "../src/gen/purr/v1/contacts_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "presence-v1.json"));

test("presence vectors reproduce byte for byte and open only under their key", async () => {
  await ready;
  const random = new SeededRandom(fromHex(vectors.seed));
  const key = random.bytes(32);
  assert.equal(toHex(key), vectors.inputs.key);
  const status = create(PresencePlaintextSchema, { status: PresenceStatus.BUSY, text: "at the dentist", sentAtMs: 1_793_620_800_123n });
  const query = create(PresencePlaintextSchema, { query: true, sentAtMs: 1_793_620_801_000n });
  assert.equal(toHex(toBinary(PresencePlaintextSchema, status)), vectors.status.plaintext);
  assert.equal(toHex(toBinary(PresencePlaintextSchema, query)), vectors.query.plaintext);
  assert.equal(toHex(toBinary(PresenceSealedSchema, sealPresence(key, status, random))), vectors.status.sealed);
  assert.equal(toHex(toBinary(PresenceSealedSchema, sealPresence(key, query, random))), vectors.query.sealed);
  const opened = openPresence(key, fromBinary(PresenceSealedSchema, fromHex(vectors.status.sealed)));
  assert.equal(opened?.text, "at the dentist");
  assert.equal(openPresence(new Uint8Array(32), fromBinary(PresenceSealedSchema, fromHex(vectors.status.sealed))), null);
});
