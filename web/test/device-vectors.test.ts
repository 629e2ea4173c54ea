// Reproduces the C# device vectors (tests/Purr.Client.Tests/Vectors/devices-v1.json) byte for byte (PROTOCOL.md 10.10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ready, signingKeyFromSeed } from "../src/crypto/sodium";
import { createCard } from "../src/e2e/card";
import { linkCode, openContactList, openOwnList, signContactList, signOwnList } from "../src/e2e/device-list";
import { DeviceListSchema, MailboxAddressSchema, OwnDevicesSchema } from "../src/gen/purr/v1/contacts_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "devices-v1.json"));
const expiresAt = 2_108_000_000;

test("device cards, the signed device list, the list of own devices and the link code reproduce byte for byte", async () => {
  await ready;
  const identity = signingKeyFromSeed(fromHex(vectors.identity_seed));
  assert.equal(toHex(identity.publicKey), vectors.identity_key);
  const cards = vectors.devices.map((d: Record<string, string>) => createCard(
    { identitySeed: fromHex(vectors.identity_seed), identityDhSecret: fromHex(d.identity_dh_secret), prekeySecret: fromHex(d.prekey_secret), kemSeed: fromHex(d.kem_seed) },
    create(MailboxAddressSchema, { server: vectors.server, sendId: fromHex(d.send_id) }), d.name, expiresAt));
  cards.forEach((card: { signedBytes: Uint8Array }, i: number) => assert.equal(toHex(card.signedBytes), vectors.devices[i].card));

  const entries = vectors.devices.map((d: { device_id: number }, i: number) => ({ deviceId: d.device_id, card: cards[i].signedBytes }));
  const list = signContactList(identity, 3n, entries);
  assert.equal(toHex(toBinary(DeviceListSchema, list)), vectors.device_list);
  const deviceKey = signingKeyFromSeed(fromHex(vectors.device_key_seed));
  const phone = vectors.devices[0];
  const ownCard = createCard(
    { identitySeed: fromHex(vectors.device_key_seed), identityDhSecret: fromHex(phone.identity_dh_secret), prekeySecret: fromHex(phone.prekey_secret), kemSeed: fromHex(phone.kem_seed) },
    create(MailboxAddressSchema, { server: vectors.server, sendId: fromHex(phone.send_id) }), phone.name, expiresAt);
  assert.equal(toHex(ownCard.signedBytes), vectors.own_card);
  assert.equal(toHex(toBinary(OwnDevicesSchema, signOwnList(deviceKey, 7n, [{ deviceId: phone.device_id, card: ownCard.signedBytes }]))), vectors.own_devices);

  const opened = openContactList(fromBinary(DeviceListSchema, fromHex(vectors.device_list)), identity.publicKey, expiresAt - 1);
  assert.equal(opened?.version, 3n);
  assert.deepEqual(opened?.devices.map(d => d.deviceId), [0x0a0b0c0d, 0x11223344]);
  assert.equal(openContactList(list, deviceKey.publicKey, expiresAt - 1), null);
  assert.equal(openContactList(list, identity.publicKey, expiresAt), null, "an expired card spoils the list");
  assert.equal(openOwnList(create(OwnDevicesSchema, { body: list.body, signature: list.signature }), identity.publicKey, expiresAt - 1), null);
  assert.equal(openOwnList(fromBinary(OwnDevicesSchema, fromHex(vectors.own_devices)), deviceKey.publicKey, expiresAt - 1)?.version, 7n);

  assert.equal(linkCode(fromHex(vectors.link_identity_key), fromHex(vectors.new_device_identity_key)), vectors.link_code);
});
