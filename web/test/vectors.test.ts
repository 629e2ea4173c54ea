// Reproduces the C# end-to-end vectors (tests/Purr.Client.Tests/Vectors/e2e-v1.json) byte for
// byte, running the same steps in the same order as EndToEndVectorTests.Generate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { create, toBinary, fromBinary } from "@bufbuild/protobuf";
import { EnvelopeSchema, MailboxAddressSchema, MailboxPayloadSchema, type Envelope } from "../src/gen/purr/v1/contacts_pb";
import { ready, signingKeyFromSeed, dhKeyFromSecret } from "../src/crypto/sodium";
import { SeededRandom, type RandomSource } from "../src/crypto/random";
import type { RatchetState } from "../src/crypto/ratchet";
import { createCard, generateClassicCardSecrets, parseCard } from "../src/e2e/card";
import { initiateContact, respondToContact } from "../src/e2e/handshake";
import { open, seal } from "../src/e2e/session";
import { safetyCode } from "../src/e2e/safety-code";
import { fromHex, toBase64Url, toHex, utf8 } from "../src/protocol/bytes";
import { readJson, repositoryRoot } from "./paths";

const vectors = readJson(resolve(repositoryRoot, "tests", "Purr.Client.Tests", "Vectors", "e2e-v1.json"));
const createdAt: number = vectors.now;
// Every input besides the seeded random bytes comes from the file itself (see its "inputs.note" for the steps).
const inputs = vectors.inputs;

/** The ratchet state's keys and counters, as the C# generator snapshots them into "intermediate". */
function snapshot(state: RatchetState): Record<string, string | number | null> {
  const hex = (bytes: Uint8Array | null) => (bytes ? toHex(bytes) : null);
  return {
    rootKey: hex(state.rootKey), dhSendPublic: hex(state.dhSendPublic), dhReceive: hex(state.dhReceive),
    chainSend: hex(state.chainSend), chainReceive: hex(state.chainReceive),
    headerSend: hex(state.headerSend), headerReceive: hex(state.headerReceive),
    nextHeaderSend: hex(state.nextHeaderSend), nextHeaderReceive: hex(state.nextHeaderReceive),
    sendCount: state.sendCount, receiveCount: state.receiveCount, previousSendCount: state.previousSendCount,
    skippedKeys: state.skipped.length,
  };
}

const expectState = (state: RatchetState, step: string) => assert.deepEqual(snapshot(state), vectors.intermediate[step], `state ${step}`);

function envelope(random: RandomSource, sentAt: number, body: Envelope["body"]): Envelope {
  return create(EnvelopeSchema, { messageId: random.bytes(16), sentAt: BigInt(sentAt), body });
}

test("the vectors' seeds and time are what the C# generator used", async () => {
  await ready;
  assert.equal(vectors.seeds.creator, toHex(utf8("purr vector seed: creator")));
  assert.equal(vectors.seeds.acceptor, toHex(utf8("purr vector seed: acceptor")));
  assert.equal(vectors.now, Date.UTC(2026, 10, 1, 12, 0, 0) / 1000);
  assert.equal(inputs.cardExpiresAt, vectors.now + 7 * 86400);
});

test("card, contact request, messages and safety code reproduce byte for byte", async () => {
  await ready;
  const creatorRandom = new SeededRandom(fromHex(vectors.seeds.creator));
  const acceptorRandom = new SeededRandom(fromHex(vectors.seeds.acceptor));
  const mailbox = create(MailboxAddressSchema, { server: inputs.cardMailboxServer, sendId: fromHex(inputs.cardMailboxSendId) });

  const secrets = generateClassicCardSecrets(creatorRandom);
  const card = createCard(secrets, mailbox, inputs.cardDisplayName, inputs.cardExpiresAt);
  assert.equal(toHex(signingKeyFromSeed(secrets.identitySeed).publicKey), vectors.card.identityKey);
  assert.equal(toHex(dhKeyFromSecret(secrets.identityDhSecret).publicKey), vectors.card.identityDhKey);
  assert.equal(toHex(dhKeyFromSecret(secrets.prekeySecret).publicKey), vectors.card.prekey);
  assert.equal(toHex(card.signedBytes), vectors.card.signedCard);
  assert.equal(card.link, vectors.card.link);
  assert.equal(toHex(card.id), vectors.card.id);

  const intro = envelope(acceptorRandom, inputs.introSentAt, {
    case: "contactIntro",
    value: {
      $typeName: "purr.v1.ContactIntro",
      replyTo: create(MailboxAddressSchema, { server: inputs.introReplyToServer, sendId: fromHex(inputs.introReplyToSendId) }),
      senderKey: fromHex(inputs.introSenderKey),
      displayName: inputs.introDisplayName,
    },
  });
  assert.equal(toHex(toBinary(EnvelopeSchema, intro)), vectors.contactRequest.introEnvelope);
  const initiated = initiateContact(parseCard(card.link, createdAt), intro, acceptorRandom);
  const payload = toBinary(MailboxPayloadSchema, create(MailboxPayloadSchema, { kind: { case: "contactRequest", value: initiated.request } }));
  assert.equal(toHex(signingKeyFromSeed(initiated.identitySeed).publicKey), vectors.contactRequest.acceptorIdentityKey);
  assert.equal(toHex(dhKeyFromSecret(initiated.identityDhSecret).publicKey), vectors.contactRequest.acceptorIdentityDhKey);
  assert.equal(toHex(payload), vectors.contactRequest.payload);
  assert.equal(toHex(initiated.ad), vectors.contactRequest.associatedData);

  const responded = respondToContact(initiated.request, secrets, creatorRandom);
  assert.ok(responded, "the creator opens the request");
  expectState(initiated.state, "acceptorAfterInitiate");
  expectState(responded.state, "creatorAfterRespond");
  const text = (t: string): Envelope["body"] => ({ case: "text", value: { $typeName: "purr.v1.Text", text: t } });
  const c1Plain = envelope(creatorRandom, inputs.c1.sentAt, text(inputs.c1.text));
  const c2Plain = envelope(creatorRandom, inputs.c2.sentAt, text(inputs.c2.text));
  const c1 = seal(responded.state, responded.ad, c1Plain, creatorRandom);
  const c2 = seal(responded.state, responded.ad, c2Plain, creatorRandom);
  expectState(responded.state, "creatorAfterSealingC1C2");
  const [s2, o2] = open(initiated.state, initiated.ad, c2, acceptorRandom);
  expectState(initiated.state, "acceptorAfterOpeningC2");
  assert.equal(s2, "ok");
  assert.equal(o2!.body.case === "text" && o2!.body.value.text, inputs.c2.text);
  const [s1, o1] = open(initiated.state, initiated.ad, c1, acceptorRandom);
  expectState(initiated.state, "acceptorAfterOpeningC1");
  assert.equal(s1, "ok");
  assert.equal(o1!.body.case === "text" && o1!.body.value.text, inputs.c1.text);
  const a1Plain = envelope(acceptorRandom, inputs.a1.sentAt, {
    case: "receipt",
    value: { $typeName: "purr.v1.Receipt", messageIds: [c1Plain.messageId, c2Plain.messageId] },
  });
  const a1 = seal(initiated.state, initiated.ad, a1Plain, acceptorRandom);
  expectState(initiated.state, "acceptorAfterSealingA1");
  const [sa, oa] = open(responded.state, responded.ad, a1, creatorRandom);
  expectState(responded.state, "creatorAfterOpeningA1");
  assert.equal(sa, "ok");
  assert.deepEqual(toBinary(EnvelopeSchema, oa!), toBinary(EnvelopeSchema, a1Plain));
  assert.equal(open(initiated.state, initiated.ad, c1, acceptorRandom)[0], "duplicate");

  // Skipping across a DH step, then a duplicate under a retired header key (see the file's inputs.note).
  const a2Plain = envelope(acceptorRandom, inputs.a2.sentAt, text(inputs.a2.text));
  const a2 = seal(initiated.state, initiated.ad, a2Plain, acceptorRandom);
  const c3Plain = envelope(creatorRandom, inputs.c3.sentAt, text(inputs.c3.text));
  const c3 = seal(responded.state, responded.ad, c3Plain, creatorRandom);
  assert.equal(open(initiated.state, initiated.ad, c3, acceptorRandom)[0], "ok");
  const a3Plain = envelope(acceptorRandom, inputs.a3.sentAt, text(inputs.a3.text));
  const a3 = seal(initiated.state, initiated.ad, a3Plain, acceptorRandom);
  expectState(initiated.state, "acceptorAfterSealingA3");
  assert.equal(open(responded.state, responded.ad, a3, creatorRandom)[0], "ok");
  expectState(responded.state, "creatorAfterOpeningA3");
  const [sa2, oa2] = open(responded.state, responded.ad, a2, creatorRandom);
  assert.equal(sa2, "ok");
  assert.equal(oa2!.body.case === "text" && oa2!.body.value.text, inputs.a2.text);
  expectState(responded.state, "creatorAfterOpeningA2");
  assert.equal(open(responded.state, responded.ad, a1, creatorRandom)[0], "duplicate");

  const c4Plain = envelope(creatorRandom, inputs.c4.sentAt, {
    case: "contactAccepted",
    value: { $typeName: "purr.v1.ContactAccepted", senderKey: fromHex(inputs.c4.contactAccepted.senderKey), displayName: inputs.c4.contactAccepted.displayName },
  });
  const c4 = seal(responded.state, responded.ad, c4Plain, creatorRandom);
  const [sc4, oc4] = open(initiated.state, initiated.ad, c4, acceptorRandom);
  assert.equal(sc4, "ok");
  assert.equal(oc4!.body.case, "contactAccepted");

  const expected = [[c1Plain, c1], [c2Plain, c2], [a1Plain, a1], [a2Plain, a2], [c3Plain, c3], [a3Plain, a3], [c4Plain, c4]] as const;
  assert.equal(vectors.messages.length, expected.length);
  vectors.messages.forEach((message: { envelope: string; header: string; ciphertext: string }, i: number) => {
    const [plain, sealed] = expected[i]!;
    assert.equal(toHex(toBinary(EnvelopeSchema, plain)), message.envelope, `message ${i} envelope`);
    assert.equal(toHex(sealed.header), message.header, `message ${i} header`);
    assert.equal(toHex(sealed.ciphertext), message.ciphertext, `message ${i} ciphertext`);
  });

  assert.equal(safetyCode(signingKeyFromSeed(secrets.identitySeed).publicKey, signingKeyFromSeed(initiated.identitySeed).publicKey), vectors.safetyCode);
});

test("the committed contact request opens with the committed card's secrets", async () => {
  await ready;
  const creatorRandom = new SeededRandom(fromHex(vectors.seeds.creator));
  const secrets = generateClassicCardSecrets(creatorRandom);
  const payload = fromBinary(MailboxPayloadSchema, fromHex(vectors.contactRequest.payload));
  assert.equal(payload.kind.case, "contactRequest");
  const responded = respondToContact(payload.kind.value as never, secrets, creatorRandom);
  assert.equal(responded?.intro.body.case === "contactIntro" && responded.intro.body.value.displayName, inputs.introDisplayName);
});

test("a tampered card is refused as tampered, an expired one as expired", async () => {
  await ready;
  const link: string = vectors.card.link;
  assert.throws(() => parseCard(link, createdAt + 8 * 86400), /expired/);
  const signed = fromHex(vectors.card.signedCard);
  signed[signed.length - 1]! ^= 1;
  assert.throws(() => parseCard("purr:card/" + toBase64Url(signed), createdAt), /mistyped or damaged in copying/);
  assert.throws(() => parseCard("hello", createdAt), /not a Purr card/);
  assert.throws(() => parseCard(link.slice(0, -1), createdAt), /incomplete/);
  assert.throws(() => parseCard(link.slice(0, link.length / 2), createdAt), /incomplete/);
  assert.throws(() => parseCard("purr:room/abc#def", createdAt), /room link/);
});
