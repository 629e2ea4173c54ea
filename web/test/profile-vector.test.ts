// Opens the C# profile file vector (tests/Purr.Client.Tests/Vectors/profile-v1.json) with the browser's reader:
// the same Argon2id key, the same JSON; a wrong passphrase is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ready } from "../src/crypto/sodium";
import { openProfile, WrongPassphraseError } from "../src/app/profile-file";
import { fromHex, toHex } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vector = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "profile-v1.json"));

test("the browser opens the CLI's profile file vector to the same key and JSON", async () => {
  await ready;
  const opened = openProfile(fromHex(vector.file), vector.passphrase);
  assert.equal(opened.json, vector.json);
  assert.equal(toHex(opened.key.key), vector.key);
  assert.throws(() => openProfile(fromHex(vector.file), "wrong"), WrongPassphraseError);
});
