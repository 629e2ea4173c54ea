// Reproduces the C# relay packet vectors (tests/Purr.Client.Tests/Vectors/relay-v1.json) byte for byte (PROTOCOL.md 15.3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { newEphemeral, openRelayPacket, openRelayResponse, sealRelayPacket, sealRelayResponse, PACKET_BYTES } from "../src/protocol/relay-packet";
import { RelayedRequestSchema } from "../src/gen/purr/v1/federation_pb";
import { RequestSchema, ServerFrameSchema } from "../src/gen/purr/v1/frames_pb";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "relay-v1.json"));

test("relay packet vectors reproduce byte for byte, and open only untouched", async () => {
  await ready;
  const random = new SeededRandom(fromHex(vectors.seed));
  const serverSecret = random.bytes(32);
  assert.equal(toHex(serverSecret), vectors.inputs.serverSecret);
  const request = create(RequestSchema, { id: 1n, op: { case: "sendMessage", value: { sendId: new Uint8Array(16), payload: new TextEncoder().encode("a relayed hello") } } });
  const message = toBinary(RelayedRequestSchema, create(RelayedRequestSchema, { request: toBinary(RequestSchema, request), sentAt: 1_793_620_800n }));
  assert.equal(toHex(message), vectors.request.message);
  const ephemeral = newEphemeral(random);
  assert.equal(toHex(ephemeral.publicKey), vectors.inputs.ephemeralPublic);
  const { packet, reply } = sealRelayPacket(fromHex(vectors.inputs.serverPublic), ephemeral, message, random);
  assert.equal(packet.length, PACKET_BYTES);
  assert.equal(toHex(packet), vectors.request.packet);
  assert.equal(toHex(reply.responseKey), vectors.inputs.responseKey);
  const answer = toBinary(ServerFrameSchema, create(ServerFrameSchema, { requestId: 1n, body: { case: "messageAccepted", value: { messageId: new Uint8Array(16) } } }));
  assert.equal(toHex(answer), vectors.response.message);
  assert.equal(toHex(sealRelayResponse(reply, answer, random)), vectors.response.packet);

  const opened = openRelayPacket(serverSecret, fromHex(vectors.request.packet));
  assert.equal(toHex(opened!.message), vectors.request.message);
  assert.equal(toHex(openRelayResponse(reply, fromHex(vectors.response.packet))!), vectors.response.message);
  const tampered = fromHex(vectors.request.packet);
  tampered[100] ^= 1;
  assert.equal(openRelayPacket(serverSecret, tampered), null);
  const wrongAnswer = fromHex(vectors.response.packet);
  wrongAnswer[PACKET_BYTES - 1] ^= 1;
  assert.equal(openRelayResponse(reply, wrongAnswer), null);
});
