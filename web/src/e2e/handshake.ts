// Turns a card into a session (PROTOCOL.md 10.2), byte-compatible with the C# ContactHandshake.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ContactRequestBodySchema, ContactRequestSchema, type ContactRequest, type Envelope } from "../gen/purr/v1/contacts_pb";
import { aeadDecrypt, aeadEncrypt, agree, dhKeyFromSecret, hkdfSha256, sign, signingKeyFromSeed, verify } from "../crypto/sodium";
import { initializeInitiator, initializeResponder, type RatchetState } from "../crypto/ratchet";
import { x3dhInitiate, x3dhRespond } from "../crypto/x3dh";
import type { RandomSource } from "../crypto/random";
import { utf8, withContext } from "../protocol/bytes";
import { CardError, type Card, type CardSecrets } from "./card";
import { open, seal, sessionAssociatedData } from "./session";

const contactRequestInfo = utf8("purr/v1 contact request");

export interface InitiatedContact { request: ContactRequest; state: RatchetState; ad: Uint8Array; identitySeed: Uint8Array; identityDhSecret: Uint8Array }

export interface RespondedContact { state: RatchetState; ad: Uint8Array; peerIdentity: Uint8Array; peerIdentityDh: Uint8Array; intro: Envelope }

function sealKey(shared: Uint8Array): [Uint8Array, Uint8Array] {
  const out = hkdfSha256(shared, new Uint8Array(32), contactRequestInfo, 56);
  return [out.slice(0, 32), out.slice(32)];
}

export function initiateContact(card: Card, intro: Envelope, random: RandomSource): InitiatedContact {
  const identitySeed = random.bytes(32);
  const identity = signingKeyFromSeed(identitySeed);
  const identityDh = dhKeyFromSecret(random.bytes(32));
  const ephemeral = dhKeyFromSecret(random.bytes(32));
  const { identityKey, identityDhKey, prekey } = card.body;
  const secrets = x3dhInitiate(identityDh.secret, ephemeral.secret, identityDhKey, prekey);
  if (!secrets) throw new CardError("malformed", "the card's keys are invalid");
  const state = initializeInitiator(secrets, prekey, random);
  const ad = sessionAssociatedData(identity.publicKey, identityDh.publicKey, identityKey, identityDhKey);
  const body = create(ContactRequestBodySchema, {
    identityKey: identity.publicKey,
    identityDhKey: identityDh.publicKey,
    identitySignature: sign(identity, withContext("purr/v1 identity dh", identityDh.publicKey)),
    first: seal(state, ad, intro, random),
  });
  const [key, nonce] = sealKey(agree(ephemeral.secret, prekey)!);
  const request = create(ContactRequestSchema, {
    ephemeralKey: ephemeral.publicKey,
    sealed: aeadEncrypt(key, nonce, toBinary(ContactRequestBodySchema, body), ephemeral.publicKey),
  });
  return { request, state, ad, identitySeed, identityDhSecret: identityDh.secret };
}

/** Opens a contact request with the card's secrets; null when it is not a valid request for this card. */
export function respondToContact(request: ContactRequest, card: CardSecrets, random: RandomSource): RespondedContact | null {
  if (request.ephemeralKey.length !== 32) return null;
  const shared = agree(card.prekeySecret, request.ephemeralKey);
  if (!shared) return null;
  const [key, nonce] = sealKey(shared);
  const opened = aeadDecrypt(key, nonce, request.sealed, request.ephemeralKey);
  if (!opened) return null;
  let body;
  try {
    body = fromBinary(ContactRequestBodySchema, opened);
  } catch {
    return null;
  }
  if (body.identityDhKey.length !== 32 || !body.first
    || !verify(body.identityKey, withContext("purr/v1 identity dh", body.identityDhKey), body.identitySignature)) return null;
  const secrets = x3dhRespond(card.identityDhSecret, card.prekeySecret, body.identityDhKey, request.ephemeralKey);
  if (!secrets) return null;
  const state = initializeResponder(secrets, card.prekeySecret);
  const me = signingKeyFromSeed(card.identitySeed);
  const ad = sessionAssociatedData(body.identityKey, body.identityDhKey, me.publicKey, dhKeyFromSecret(card.identityDhSecret).publicKey);
  const [status, intro] = open(state, ad, body.first, random);
  return status === "ok" && intro ? { state, ad, peerIdentity: body.identityKey, peerIdentityDh: body.identityDhKey, intro } : null;
}
