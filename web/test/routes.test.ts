// The browser's per-contact routes (app/routes.ts): stored forms, and random hops from the own server's catalog.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { parseRoute, parseThrough, pickHops, routeName } from "../src/app/routes";
import { toBase64Url } from "../src/protocol/bytes";

const address = (byte: number, port: number) => `purr://${toBase64Url(new Uint8Array(32).fill(byte))}@127.0.0.1:${port}`;

test("routes read back as written, and anything unknown reads as via-home", () => {
  assert.deepEqual(parseRoute(undefined), { kind: "via-home" });
  assert.deepEqual(parseRoute("hops:3"), { kind: "hops", hops: 3 });
  assert.equal(routeName(parseRoute("hops:5")), "hops:5");
  for (const unknown of ["hops:1", "hops:6", "hops:x", "through:purr://x", "through:", "direct", ""]) assert.deepEqual(parseRoute(unknown), { kind: "via-home" });
  const named = `through:${address(3, 3000)},${address(4, 4000)}`;
  assert.deepEqual(parseRoute(named), { kind: "through", servers: [address(3, 3000), address(4, 4000)] });
  assert.equal(routeName(parseRoute(named)), named);
  assert.deepEqual(parseThrough(` ${address(3, 3000)} , ${address(4, 4000)}`), [address(3, 3000), address(4, 4000)]);
  assert.equal(parseThrough([3, 4, 5, 6, 7].map(b => address(b, 1000 + b)).join(",")), null);
});

test("hops come from the catalog, never the own server or the destination, fresh for every pick", async () => {
  await ready;
  const home = address(1, 1000);
  const destination = address(2, 2000);
  const catalog = [home, destination, address(3, 3000), address(4, 4000), address(5, 5000)];
  const random = new SeededRandom(new Uint8Array(32).fill(7));
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const hops = pickHops(catalog, home, destination, 2, random);
    assert.equal(hops.length, 2);
    assert.equal(new Set(hops).size, 2);
    for (const hop of hops) {
      assert.notEqual(hop, home);
      assert.notEqual(hop, destination);
      seen.add(hop);
    }
  }
  assert.equal(seen.size, 3);
  assert.throws(() => pickHops(catalog, home, destination, 4, random), /catalog lists 3 server\(s\)/);
});
