// Reproduces the C# contact address vectors (tests/Purr.Client.Tests/Vectors/addresses-v1.json) byte for byte:
// the signed address and a request sealed to it (PROTOCOL.md 10.8).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { blockTag, createAddress, openAddressRequest, parseContactAddress, sealAddressRequest } from "../src/e2e/address";
import { AddressRequestBodySchema, AddressRequestSchema, MailboxAddressSchema } from "../src/gen/purr/v1/contacts_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "addresses-v1.json"));

test("contact address vectors reproduce byte for byte, drawing random bytes in the documented order", async () => {
  await ready;
  const random = new SeededRandom(fromHex(vectors.seed));
  const addressKeySeed = random.bytes(32);
  const requestKeySecret = random.bytes(32);
  const sendId = random.bytes(16);
  const card = random.bytes(200);
  assert.equal(toHex(addressKeySeed), vectors.inputs.addressKeySeed);
  assert.equal(toHex(requestKeySecret), vectors.inputs.requestKeySecret);
  assert.equal(toHex(sendId), vectors.inputs.sendId);
  assert.equal(toHex(card), vectors.inputs.card);

  const address = createAddress(addressKeySeed, requestKeySecret, create(MailboxAddressSchema, { server: vectors.inputs.server, sendId }), "Corner Shop");
  assert.equal(toHex(address.signedBytes), vectors.address.signed);
  assert.equal(address.link, vectors.address.link);
  assert.equal(parseContactAddress(vectors.address.link).link, vectors.address.link);

  const body = create(AddressRequestBodySchema, { card, displayName: "Bob", message: "open on Sunday?" });
  assert.equal(toHex(toBinary(AddressRequestBodySchema, body)), vectors.request.body);
  const request = sealAddressRequest(address, body, random);
  assert.equal(toHex(toBinary(AddressRequestSchema, request)), vectors.request.bytes);
  const tagSecret = random.bytes(32);
  assert.equal(toHex(tagSecret), vectors.blockTag.tagSecret);
  assert.equal(toHex(blockTag(tagSecret, address.body.addressKey)), vectors.blockTag.tag);

  const opened = openAddressRequest(fromBinary(AddressRequestSchema, fromHex(vectors.request.bytes)), requestKeySecret, address.body.addressKey);
  assert.equal(toHex(toBinary(AddressRequestBodySchema, opened!)), vectors.request.body);
  assert.equal(openAddressRequest(request, requestKeySecret, new Uint8Array(32)), null);
});

test("a tampered address is refused", async () => {
  await ready;
  const link: string = vectors.address.link;
  const tampered = link.slice(0, -3) + (link.at(-3) === "A" ? "B" : "A") + link.slice(-2);
  assert.throws(() => parseContactAddress(tampered));
  assert.throws(() => parseContactAddress("purr:card/AAAA"));
});

test("a version 2 (post-quantum) address and its request reproduce byte for byte; a stripped KEM ciphertext is refused", async () => {
  await ready;
  const pq = vectors.postQuantum;
  const random = new SeededRandom(fromHex(pq.seed));
  const addressKeySeed = random.bytes(32);
  const requestKeySecret = random.bytes(32);
  const kemSeed = random.bytes(64);
  assert.equal(toHex(kemSeed), pq.kemSeed);
  const sendId = random.bytes(16);
  const card = random.bytes(200);
  const address = createAddress(addressKeySeed, requestKeySecret, create(MailboxAddressSchema, { server: vectors.inputs.server, sendId }), "Corner Shop", kemSeed);
  assert.equal(address.body.version, 2);
  assert.equal(toHex(address.signedBytes), pq.address.signed);
  assert.equal(parseContactAddress(pq.address.link).link, pq.address.link);
  const body = create(AddressRequestBodySchema, { card, displayName: "Bob", message: "open on Sunday?" });
  const request = sealAddressRequest(address, body, random);
  assert.equal(toHex(toBinary(AddressRequestSchema, request)), pq.request.bytes);
  const opened = openAddressRequest(request, requestKeySecret, address.body.addressKey, kemSeed);
  assert.equal(toHex(toBinary(AddressRequestBodySchema, opened!)), pq.request.body);
  assert.equal(openAddressRequest({ ...request, kemCiphertext: new Uint8Array(0) }, requestKeySecret, address.body.addressKey, kemSeed), null);
  assert.equal(openAddressRequest(request, requestKeySecret, address.body.addressKey), null);
});
