// Reproduces the C# mailbox key vectors (tests/Purr.Client.Tests/Vectors/mailbox-keys-v1.json): the hello and request
// MACs byte for byte, and the key sealed by C# opens here (PROTOCOL.md 3 and 4, "Mailbox keys").
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { dhKeyFromSecret, ready } from "../src/crypto/sodium";
import { helloMac, macMatches, mailboxMac, openMailboxKey } from "../src/protocol/mailbox-keys";
import { RequestSchema } from "../src/gen/purr/v1/frames_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "mailbox-keys-v1.json"));

test("mailbox key MACs reproduce byte for byte and a wrong one does not match", async () => {
  await ready;
  const key = fromHex(vectors.mailbox_key);
  const request = toBinary(RequestSchema, create(RequestSchema, { id: 3n, op: { case: "subscribe", value: { receiveId: fromHex(vectors.receive_id) } } }));
  assert.equal(toHex(request), vectors.request);
  const hello = helloMac(key, fromHex(vectors.session_nonce), fromHex(vectors.client_nonce));
  assert.equal(toHex(hello), vectors.hello_mac);
  assert.equal(toHex(mailboxMac(key, fromHex(vectors.session_nonce), request)), vectors.request_mac);
  assert.ok(macMatches(hello, fromHex(vectors.hello_mac)));
  assert.ok(!macMatches(hello, fromHex(vectors.request_mac)));
  assert.ok(!macMatches(hello, fromHex(vectors.hello_mac).subarray(0, 31)));
});

test("the mailbox key sealed by the C# side opens with its box key and no other", async () => {
  await ready;
  const sealed = fromHex(vectors.sealed.sealed_key);
  assert.equal(toHex(openMailboxKey(sealed, dhKeyFromSecret(fromHex(vectors.sealed.box_secret)))!), vectors.mailbox_key);
  assert.equal(openMailboxKey(sealed, dhKeyFromSecret(new Uint8Array(32).fill(7))), null);
  const altered = sealed.slice();
  altered[40] ^= 1;
  assert.equal(openMailboxKey(altered, dhKeyFromSecret(fromHex(vectors.sealed.box_secret))), null);
});
