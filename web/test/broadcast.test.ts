// The browser accepts an operator broadcast only if the pinned server key signed it and it has not expired.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ready, sign, signingKeyFromSeed } from "../src/crypto/sodium";
import { BroadcastBodySchema } from "../src/gen/purr/v1/frames_pb";
import { serverBroadcast } from "../src/protocol/signed-bytes";
import { openBroadcast } from "../src/app/broadcast";

test("a broadcast opens only under the server's key, unaltered and before it expires", async () => {
  await ready;
  const server = signingKeyFromSeed(new Uint8Array(32).fill(7));
  const other = signingKeyFromSeed(new Uint8Array(32).fill(8));
  const body = toBinary(BroadcastBodySchema, create(BroadcastBodySchema, {
    broadcastId: new Uint8Array(16).fill(1), text: "maintenance at 22:00", sentAt: 1_800_000_000n, expiresAt: 1_800_003_600n,
  }));
  const signature = sign(server, serverBroadcast(body));
  assert.deepEqual(openBroadcast(body, signature, server.publicKey, 1_800_000_100), { id: "01".repeat(16), text: "maintenance at 22:00", sentAt: 1_800_000_000 });
  assert.equal(openBroadcast(body, sign(other, serverBroadcast(body)), server.publicKey, 1_800_000_100), null, "signed by another key");
  const altered = body.slice();
  altered[altered.length - 1] ^= 1;
  assert.equal(openBroadcast(altered, signature, server.publicKey, 1_800_000_100), null, "altered after signing");
  assert.equal(openBroadcast(body, signature, server.publicKey, 1_800_003_600), null, "expired");
});
