// Reproduces the C# post-quantum vectors (tests/Purr.Client.Tests/Vectors/pq-v1.json) byte for byte:
// a version 2 card with PQXDH and the post-quantum ratchet, and a classic card whose session upgrades,
// running the same steps in the same order as PostQuantumVectorTests.Scenario.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CardBodySchema, SignedCardSchema, EnvelopeSchema, MailboxAddressSchema, MailboxPayloadSchema, type Envelope, type RatchetEnvelope } from "../src/gen/purr/v1/contacts_pb";
import { ready } from "../src/crypto/sodium";
import { SeededRandom, type RandomSource } from "../src/crypto/random";
import { KEM_HEADER_BYTES, type RatchetState } from "../src/crypto/ratchet";
import { createCard, generateCardSecrets, generateClassicCardSecrets, parseCard } from "../src/e2e/card";
import { initiateContact, respondToContact } from "../src/e2e/handshake";
import { open, seal } from "../src/e2e/session";
import { fromHex, toBase64Url, toHex, utf8 } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "pq-v1.json"));

function snapshot(state: RatchetState): Record<string, string | number | boolean | null> {
  const hex = (bytes: Uint8Array | null | undefined) => (bytes ? toHex(bytes) : null);
  return {
    rootKey: hex(state.rootKey), dhSendPublic: hex(state.dhSendPublic), chainSend: hex(state.chainSend), chainReceive: hex(state.chainReceive),
    sendCount: state.sendCount, receiveCount: state.receiveCount, kemEnabled: !!state.kemEnabled, postQuantum: !!state.postQuantum,
    kemSendSeed: hex(state.kemSendSeed), kemCiphertext: hex(state.kemCiphertext),
  };
}

function envelope(random: RandomSource, sentAt: number, body: Envelope["body"]): Envelope {
  return create(EnvelopeSchema, { messageId: random.bytes(16), sentAt: BigInt(sentAt), kemHeaders: true, body });
}

function runScenario(name: string, expected: any): void {
  const creatorRandom = new SeededRandom(utf8(`purr pq vector seed: ${name} creator`));
  const acceptorRandom = new SeededRandom(utf8(`purr pq vector seed: ${name} acceptor`));
  assert.equal(toHex(utf8(`purr pq vector seed: ${name} creator`)), expected.seeds.creator);
  const secrets = expected.classicCard ? generateClassicCardSecrets(creatorRandom) : generateCardSecrets(creatorRandom);
  const mailbox = create(MailboxAddressSchema, { server: vectors.cardMailboxServer, sendId: fromHex(vectors.cardMailboxSendId) });
  const card = createCard(secrets, mailbox, "Alice", vectors.now + 7 * 86400);
  assert.equal(toHex(card.signedBytes), expected.card.signedCard, `${name}: card`);
  assert.equal(card.link, expected.card.link);

  const intro = envelope(acceptorRandom, 1_793_620_800, {
    case: "contactIntro",
    value: {
      $typeName: "purr.v1.ContactIntro",
      replyTo: create(MailboxAddressSchema, { server: vectors.cardMailboxServer, sendId: fromHex(vectors.introReplyToSendId) }),
      senderKey: fromHex(vectors.introSenderKey),
      displayName: "Bob",
    },
  });
  assert.equal(toHex(toBinary(EnvelopeSchema, intro)), expected.contactRequest.introEnvelope);
  const initiated = initiateContact(parseCard(card.link, vectors.now), intro, acceptorRandom);
  const payload = toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } }));
  assert.equal(toHex(payload), expected.contactRequest.payload, `${name}: contact request`);
  const responded = respondToContact(initiated.request, secrets, creatorRandom);
  assert.ok(responded, "the creator opens the request");
  const states: any[] = expected.states;
  const expectStates = (index: number, after: string) => {
    assert.equal(states[index].after, after);
    assert.deepEqual(snapshot(initiated.state), states[index].acceptor, `${name}: acceptor after ${after}`);
    assert.deepEqual(snapshot(responded.state), states[index].creator, `${name}: creator after ${after}`);
  };
  expectStates(0, "respond");

  let held: RatchetEnvelope | null = null;
  let sentAt = 1_793_620_900;
  let stateIndex = 1;
  expected.order.forEach((label: string, i: number) => {
    const fromCreator = label.startsWith("c");
    const [senderState, senderAd, senderRandom] = fromCreator ? [responded.state, responded.ad, creatorRandom] : [initiated.state, initiated.ad, acceptorRandom];
    const [receiverState, receiverAd, receiverRandom] = fromCreator ? [initiated.state, initiated.ad, acceptorRandom] : [responded.state, responded.ad, creatorRandom];
    const plain = envelope(senderRandom, sentAt++, { case: "text", value: { $typeName: "purr.v1.Text", text: `${label} from ${fromCreator ? "Alice" : "Bob"}` } });
    const sealed = seal(senderState, senderAd, plain, senderRandom);
    const message = expected.messages[i];
    assert.equal(message.label, label);
    assert.equal(toHex(toBinary(EnvelopeSchema, plain)), message.envelope, `${name}: ${label} envelope`);
    assert.equal(toHex(sealed.header), message.header, `${name}: ${label} header`);
    assert.equal(toHex(sealed.ciphertext), message.ciphertext, `${name}: ${label} ciphertext`);
    if (expected.held?.message === label) {
      held = sealed;
      return;
    }
    const [status, opened] = open(receiverState, receiverAd, sealed, receiverRandom);
    assert.equal(status, "ok", `${name}: ${label} opens`);
    assert.deepEqual(toBinary(EnvelopeSchema, opened!), toBinary(EnvelopeSchema, plain));
    if (expected.held?.openedAfter === label) assert.equal(open(receiverState, receiverAd, held!, receiverRandom)[0], "ok");
    expectStates(stateIndex++, label);
  });
  assert.ok(initiated.state.postQuantum && responded.state.postQuantum);
}

test("post-quantum card: PQXDH and the post-quantum ratchet reproduce byte for byte", async () => {
  await ready;
  assert.equal(vectors.postQuantumCard.classicCard, false);
  runScenario("pq", vectors.postQuantumCard);
  assert.ok(vectors.postQuantumCard.messages.every((m: { header: string }) => m.header.length / 2 === 24 + KEM_HEADER_BYTES + 16));
});

test("classic card: the session upgrades to post-quantum byte for byte", async () => {
  await ready;
  assert.equal(vectors.upgrade.classicCard, true);
  runScenario("upgrade", vectors.upgrade);
});

test("a post-quantum request without its KEM ciphertext is refused, and a stripped card key breaks the signature", async () => {
  await ready;
  const random = new SeededRandom(utf8("purr pq downgrade test"));
  const secrets = generateCardSecrets(random);
  const mailbox = create(MailboxAddressSchema, { server: vectors.cardMailboxServer, sendId: fromHex(vectors.cardMailboxSendId) });
  const card = createCard(secrets, mailbox, "Alice", vectors.now + 86400);
  const intro = envelope(random, 1, { case: "text", value: { $typeName: "purr.v1.Text", text: "hi" } });
  const initiated = initiateContact(card, intro, random);
  assert.equal(respondToContact({ ...initiated.request, kemCiphertext: new Uint8Array(0) }, secrets, random), null);
  assert.equal(respondToContact(initiated.request, { ...secrets, kemSeed: null }, random), null);
  assert.ok(respondToContact(initiated.request, secrets, random));
  // The card's body with its KEM prekey removed, under the original signature: tampered.
  const signed = fromBinary(SignedCardSchema, card.signedBytes);
  const body = fromBinary(CardBodySchema, signed.body);
  body.pqPrekey = new Uint8Array(0);
  const strippedBytes = toBinary(SignedCardSchema, create(SignedCardSchema, { body: toBinary(CardBodySchema, body), signature: signed.signature }));
  assert.throws(() => parseCard("purr:card/" + toBase64Url(strippedBytes), vectors.now), /signature does not match/);
});
