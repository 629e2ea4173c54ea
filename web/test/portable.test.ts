// The portable profile between the purr tool and the browser (PROTOCOL.md 9, "Portable profiles"), from the C#
// vector tests/Purr.Client.Tests/Vectors/portable-v1.json: the browser imports the CLI's export JSON, exports the
// same session and history back, and the imported session opens the message the contact sealed after the export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { RatchetEnvelopeSchema } from "../src/gen/purr/v1/contacts_pb";
import { ready } from "../src/crypto/sodium";
import { SeededRandom } from "../src/crypto/random";
import { open } from "../src/e2e/session";
import { fromHex, toHex } from "../src/protocol/bytes";
import { fromPortableJson, PortableProfileError, toPortableJson } from "../src/app/portable";
import { readJson, repositoryRoot } from "./paths";

const vector = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "portable-v1.json"));
const cli = JSON.parse(vector.json);

test("the browser imports the CLI's export and exports the same session, mailboxes, room and history back", async () => {
  await ready;
  const data = fromPortableJson(vector.json, vector.server);
  assert.equal(data.server, vector.server);
  const [bob] = data.contacts;
  assert.equal(bob!.displayName, "Bob");
  assert.equal(bob!.established, true);
  assert.equal(bob!.route, "hops:2");
  assert.equal(bob!.disappearAfter, 3600);
  assert.equal(bob!.messages[1]!.expiresAt, cli.History[1].x, "a disappearing message keeps its time");
  assert.equal(bob!.inbox[0]!.server, undefined, "a mailbox on the page's server has no server of its own");
  assert.equal(bob!.outbox!.server, cli.Contacts[0].Outbox.Server, "a mailbox elsewhere keeps its server");
  assert.deepEqual(bob!.messages.map(m => [m.mine, m.text, m.delivered ?? false]), [[true, "hi Bob", true], [false, "hi Alice", false]]);

  const back = JSON.parse(toPortableJson(data));
  const mine = back.Contacts[0];
  const theirs = cli.Contacts[0];
  for (const field of ["Name", "DisplayName", "MyIdentitySeed", "TheirIdentityKey", "Session", "AssociatedData", "Inbox", "Outbox", "TheirSenderKey",
    "Verified", "SeenMessageIds", "Delivered", "SharePresence", "PresenceInbox", "PresenceInboxKey", "PresenceOutbox", "Route", "DisappearAfterSeconds"]) {
    assert.deepEqual(mine[field], theirs[field], `Contacts[0].${field}`);
  }
  assert.deepEqual(back.History, cli.History);
  assert.deepEqual(back.Address, cli.Address);
  for (const field of ["Server", "DisplayName", "RoomTagSecret", "PresenceEnabled", "Presence", "PresenceText", "UsedCards"]) {
    assert.deepEqual(back[field], cli[field], field);
  }
  const room = back.Rooms[0].State;
  const cliRoom = cli.Rooms[0].State;
  for (const field of ["Link", "DisplayName", "MemberKeySeed", "DhSecret", "KemSeed", "Keys", "CurrentKeyId", "Names", "MailboxKeySeed", "MembersRemovedSinceKey", "AwaitingKey", "DisappearAfterSeconds"]) {
    assert.deepEqual(room[field], cliRoom[field], `Rooms[0].State.${field}`);
  }
  assert.deepEqual([room.Mailbox.ReceiveId, room.Mailbox.SendId], [cliRoom.Mailbox.ReceiveId, cliRoom.Mailbox.SendId]);
  assert.deepEqual(data.rooms[0]!.messages.map(m => [m.sender, m.text]), [["bob", "hello, room"]], "a room's history goes to the room");
  assert.match(data.rooms[0]!.mailbox!.server ?? "", /@127\.0\.0\.1:7879$/, "the room's mailbox is on the room's server, reached through the page's");
  assert.equal(back.Rooms[0].Name, "den");

  const [status, envelope] = open(bob!.state, bob!.ad, fromBinary(RatchetEnvelopeSchema, fromHex(vector.next)), new SeededRandom(new Uint8Array(32)));
  assert.equal(status, "ok");
  assert.equal(envelope!.body.case === "text" ? envelope!.body.value.text : null, vector.nextText);
});

test("a browser profile survives the trip through the portable form (its ids aside)", async () => {
  await ready;
  const data = fromPortableJson(vector.json, vector.server);
  const again = fromPortableJson(toPortableJson(data), vector.server);
  const withoutIds = (d: typeof data) => JSON.parse(JSON.stringify({ ...d, contacts: d.contacts.map(c => ({ ...c, id: "" })) },
    (_k, v) => (v instanceof Uint8Array ? toHex(v) : v)));
  assert.deepEqual(withoutIds(again), withoutIds(data));
});

test("a damaged or foreign file is refused with a clear error", async () => {
  await ready;
  assert.throws(() => fromPortableJson("not json", vector.server), PortableProfileError);
  assert.throws(() => fromPortableJson(JSON.stringify({ ...cli, Version: 2 }), vector.server), /another version/);
  const broken = JSON.parse(vector.json);
  broken.Contacts[0].Session.RootKey = "%%%";
  assert.throws(() => fromPortableJson(JSON.stringify(broken), vector.server), /not base64/);
});
