// Turns a card into a session (PROTOCOL.md 10.2): PQXDH to a version 2 card, X3DH to a classic one;
// byte-compatible with the C# ContactHandshake.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ContactRequestBodySchema, ContactRequestSchema, type ContactRequest, type Envelope } from "../gen/purr/v1/contacts_pb";
import { aeadDecrypt, aeadEncrypt, agree, dhKeyFromSecret, hkdfSha256, sign, signingKeyFromSeed, verify } from "../crypto/sodium";
import { initializeInitiator, initializeResponder, type RatchetState } from "../crypto/ratchet";
import { x3dhInitiate, x3dhRespond } from "../crypto/x3dh";
import type { RandomSource } from "../crypto/random";
import { mlKemCiphertextBytes, mlKemDecapsulate, mlKemEncapsulate } from "../crypto/mlkem";
import { concat, utf8, withContext } from "../protocol/bytes";
import { CardError, isPostQuantumCard, type Card, type CardSecrets } from "./card";
import { open, seal, sessionAssociatedData } from "./session";

const contactRequestInfo = utf8("purr/v1 contact request");
const pqContactRequestInfo = utf8("purr/v2 contact request");

export interface InitiatedContact { request: ContactRequest; state: RatchetState; ad: Uint8Array; identitySeed: Uint8Array; identityDhSecret: Uint8Array }

export interface RespondedContact { state: RatchetState; ad: Uint8Array; peerIdentity: Uint8Array; peerIdentityDh: Uint8Array; intro: Envelope }

/** Classic: HKDF(DH(EK, SPK), "purr/v1 contact request"); post-quantum: HKDF(DH(EK, SPK) ‖ SS, "purr/v2 contact request"). */
function sealKey(shared: Uint8Array, kemSecret: Uint8Array | null): [Uint8Array, Uint8Array] {
  const out = kemSecret
    ? hkdfSha256(concat(shared, kemSecret), new Uint8Array(32), pqContactRequestInfo, 56)
    : hkdfSha256(shared, new Uint8Array(32), contactRequestInfo, 56);
  return [out.slice(0, 32), out.slice(32)];
}

/**
 * `keys`: a device starting a session with another device of a contact (PROTOCOL.md 10.10) uses the per-contact
 * identity the contact already knows and its own X25519 identity key for that contact instead of fresh ones.
 */
export function initiateContact(card: Card, intro: Envelope, random: RandomSource, keys?: { identitySeed: Uint8Array; identityDhSecret: Uint8Array }): InitiatedContact {
  const identitySeed = keys?.identitySeed ?? random.bytes(32);
  const identity = signingKeyFromSeed(identitySeed);
  const identityDh = dhKeyFromSecret(keys?.identityDhSecret ?? random.bytes(32));
  const ephemeral = dhKeyFromSecret(random.bytes(32));
  const { identityKey, identityDhKey, prekey } = card.body;
  const kemPrekey = isPostQuantumCard(card) ? card.body.pqPrekey : null;
  const kem = kemPrekey ? mlKemEncapsulate(kemPrekey, random) : null;
  if (kemPrekey && !kem) throw new CardError("malformed", "the card's post-quantum key is invalid");
  const secrets = x3dhInitiate(identityDh.secret, ephemeral.secret, identityDhKey, prekey, kem?.secret ?? null);
  if (!secrets) throw new CardError("malformed", "the card's keys are invalid");
  const state = initializeInitiator(secrets, prekey, random, kemPrekey);
  const ad = sessionAssociatedData(identity.publicKey, identityDh.publicKey, identityKey, identityDhKey);
  const body = create(ContactRequestBodySchema, {
    identityKey: identity.publicKey,
    identityDhKey: identityDh.publicKey,
    identitySignature: sign(identity, withContext("purr/v1 identity dh", identityDh.publicKey)),
    first: seal(state, ad, intro, random),
  });
  const [key, nonce] = sealKey(agree(ephemeral.secret, prekey)!, kem?.secret ?? null);
  const kemCiphertext = kem?.ciphertext ?? new Uint8Array(0);
  const request = create(ContactRequestSchema, {
    ephemeralKey: ephemeral.publicKey,
    sealed: aeadEncrypt(key, nonce, toBinary(ContactRequestBodySchema, body), concat(ephemeral.publicKey, kemCiphertext)),
    kemCiphertext,
  });
  return { request, state, ad, identitySeed, identityDhSecret: identityDh.secret };
}

/** Opens a contact request with the card's secrets; null when it is not a valid request for this card. */
export function respondToContact(request: ContactRequest, card: CardSecrets, random: RandomSource): RespondedContact | null {
  if (request.ephemeralKey.length !== 32) return null;
  // A post-quantum card takes only post-quantum requests (one without the ciphertext is a downgrade); a classic card none.
  const kemSeed = card.kemSeed ?? null;
  if (kemSeed ? request.kemCiphertext.length !== mlKemCiphertextBytes : request.kemCiphertext.length !== 0) return null;
  const kemSecret = kemSeed ? mlKemDecapsulate(kemSeed, request.kemCiphertext) : null;
  const shared = agree(card.prekeySecret, request.ephemeralKey);
  if (!shared) return null;
  const [key, nonce] = sealKey(shared, kemSecret);
  const opened = aeadDecrypt(key, nonce, request.sealed, concat(request.ephemeralKey, request.kemCiphertext));
  if (!opened) return null;
  let body;
  try {
    body = fromBinary(ContactRequestBodySchema, opened);
  } catch {
    return null;
  }
  if (body.identityDhKey.length !== 32 || !body.first
    || !verify(body.identityKey, withContext("purr/v1 identity dh", body.identityDhKey), body.identitySignature)) return null;
  const secrets = x3dhRespond(card.identityDhSecret, card.prekeySecret, body.identityDhKey, request.ephemeralKey, kemSecret);
  if (!secrets) return null;
  const state = initializeResponder(secrets, card.prekeySecret, kemSeed);
  const me = signingKeyFromSeed(card.identitySeed);
  const ad = sessionAssociatedData(body.identityKey, body.identityDhKey, me.publicKey, dhKeyFromSecret(card.identityDhSecret).publicKey);
  const [status, intro] = open(state, ad, body.first, random);
  return status === "ok" && intro ? { state, ad, peerIdentity: body.identityKey, peerIdentityDh: body.identityDhKey, intro } : null;
}
