// How the browser reads "name@host[:port]" (PROTOCOL.md section 14); the same cases as the C# HandleNameTests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHandle } from "../src/app/handles";

test("a handle gives its name, host and port", () => {
  assert.deepEqual(parseHandle("Alice@example.org"), { name: "alice", host: "example.org", port: 7878 });
  assert.deepEqual(parseHandle("  bob.smith@127.0.0.1:5000 "), { name: "bob.smith", host: "127.0.0.1", port: 5000 });
  assert.deepEqual(parseHandle("carol@[::1]:7000"), { name: "carol", host: "::1", port: 7000 });
});

test("links and malformed text are not handles", () => {
  for (const text of ["purr:address/AAAA@x", "purr://key@host:1", "@example.org", "alice@", "alice@host:0", "alice@host:70000", "alice@host:port", "alice smith@host", "no-at-sign"]) {
    assert.equal(parseHandle(text), null, text);
  }
});
