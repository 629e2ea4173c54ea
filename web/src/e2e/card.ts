// Rendezvous cards (PROTOCOL.md 10.1): a per-contact identity and the keys for PQXDH (X3DH on a
// classic, version 1 card), signed by it.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CardBodySchema, SignedCardSchema, type CardBody, type MailboxAddress } from "../gen/purr/v1/contacts_pb";
import { blake2b, dhKeyFromSecret, sign, signingKeyFromSeed, verify } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";
import { isValidMlKemPublicKey, mlKemPublicKey, mlKemSeedBytes } from "../crypto/mlkem";
import { fromBase64Url, toBase64Url, withContext } from "../protocol/bytes";
import { parseAddress } from "../protocol/address";

/** A post-quantum card: it carries an ML-KEM-768 prekey, and requests to it must use it. */
export const CARD_VERSION = 2;
/** A card from a client before the post-quantum handshake: still accepted (the session upgrades later). */
export const CLASSIC_CARD_VERSION = 1;
export const CARD_PREFIX = "purr:card/";

export type CardProblem = "malformed" | "tampered" | "expired" | "alreadyUsed" | "unsupportedVersion";

export class CardError extends Error {
  constructor(readonly problem: CardProblem, message: string) {
    super(message);
  }
}

/** The private halves a card's creator keeps until the card is answered; kemSeed only on a post-quantum card. */
export interface CardSecrets { identitySeed: Uint8Array; identityDhSecret: Uint8Array; prekeySecret: Uint8Array; kemSeed?: Uint8Array | null }

/** A post-quantum card's secrets: the three keys, then the ML-KEM seed, in that order from the source. */
export function generateCardSecrets(random: RandomSource): CardSecrets {
  const classic = generateClassicCardSecrets(random);
  return { ...classic, kemSeed: random.bytes(mlKemSeedBytes) };
}

/** A classic (version 1) card's secrets, as clients before the post-quantum handshake made them. */
export function generateClassicCardSecrets(random: RandomSource): CardSecrets {
  return { identitySeed: random.bytes(32), identityDhSecret: random.bytes(32), prekeySecret: random.bytes(32) };
}

export interface Card { body: CardBody; signedBytes: Uint8Array; link: string; id: Uint8Array }

/** Whether a session from this card starts post-quantum (PQXDH). */
export const isPostQuantumCard = (card: Card) => card.body.version === CARD_VERSION;

function wrap(body: CardBody, signedBytes: Uint8Array): Card {
  return { body, signedBytes, link: CARD_PREFIX + toBase64Url(signedBytes), id: blake2b(signedBytes, 16) };
}

export function createCard(secrets: CardSecrets, mailbox: MailboxAddress, displayName: string, expiresAt: number): Card {
  const identity = signingKeyFromSeed(secrets.identitySeed);
  const body = create(CardBodySchema, {
    version: secrets.kemSeed ? CARD_VERSION : CLASSIC_CARD_VERSION,
    identityKey: identity.publicKey,
    identityDhKey: dhKeyFromSecret(secrets.identityDhSecret).publicKey,
    prekey: dhKeyFromSecret(secrets.prekeySecret).publicKey,
    mailbox,
    displayName,
    expiresAt: BigInt(Math.floor(expiresAt)),
    pqPrekey: secrets.kemSeed ? mlKemPublicKey(secrets.kemSeed) : new Uint8Array(0),
  });
  const bodyBytes = toBinary(CardBodySchema, body);
  const signature = sign(identity, withContext("purr/v1 card", bodyBytes));
  return wrap(body, toBinary(SignedCardSchema, create(SignedCardSchema, { body: bodyBytes, signature })));
}

/** Reads a link, checks its signature, version and expiry; throws CardError with a reason a user understands. */
export function parseCard(text: string, nowSeconds: number): Card {
  const trimmed = text.trim();
  if (!trimmed.startsWith(CARD_PREFIX)) {
    throw new CardError("malformed", trimmed.startsWith("purr:room/")
      ? "this is a room link, not a card: join it with Join room"
      : trimmed.startsWith("purr:address/")
        ? "this is a contact address, not a card: add it with Add contact"
        : "this is not a Purr card link (it should start with purr:card/)");
  }
  // A link cut short in copying is by far the commonest damage: say so rather than blame the signature.
  const incomplete = "the card link is incomplete or damaged (was it cut off when copied?); copy the whole link again";
  const bytes = fromBase64Url(trimmed.slice(CARD_PREFIX.length));
  if (!bytes) throw new CardError("malformed", incomplete);
  let body: CardBody;
  let signature: Uint8Array;
  let bodyBytes: Uint8Array;
  try {
    const signed = fromBinary(SignedCardSchema, bytes);
    bodyBytes = signed.body;
    signature = signed.signature;
    body = fromBinary(CardBodySchema, bodyBytes);
  } catch {
    throw new CardError("malformed", incomplete);
  }
  if (signature.length !== 64) throw new CardError("malformed", incomplete);
  if (body.identityKey.length !== 32 || body.identityDhKey.length !== 32 || body.prekey.length !== 32
    || !body.mailbox || body.mailbox.sendId.length !== 16 || !parseAddress(body.mailbox.server)) {
    throw new CardError("malformed", "the card is damaged (a key or its mailbox is missing)");
  }
  if (!verify(body.identityKey, withContext("purr/v1 card", bodyBytes), signature)) {
    throw new CardError("tampered", "the card's signature does not match: a character of it was changed (mistyped or damaged in copying) or someone altered it; copy the whole link again");
  }
  if (body.version !== CARD_VERSION && body.version !== CLASSIC_CARD_VERSION) {
    throw new CardError("unsupportedVersion", `the card has version ${body.version}; this client reads versions ${CLASSIC_CARD_VERSION} and ${CARD_VERSION}`);
  }
  // The KEM prekey is under the signature; a version 2 card without a valid one (or a version 1 card with one) was made wrongly.
  if (body.version === CARD_VERSION ? !isValidMlKemPublicKey(body.pqPrekey) : body.pqPrekey.length !== 0) {
    throw new CardError("malformed", "the card is damaged (its post-quantum key is missing or invalid)");
  }
  if (Number(body.expiresAt) <= nowSeconds) throw new CardError("expired", "the card has expired; ask for a new one");
  return wrap(body, bytes);
}
