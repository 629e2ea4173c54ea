// Contact addresses (PROTOCOL.md 10.8), byte-compatible with the C# ContactAddress and AddressRequests: a reusable
// link whose requests are the requester's own card, sealed to the address's request key (and, on a version 2
// address, to its ML-KEM-768 request key as well).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  AddressBodySchema, AddressRequestBodySchema, AddressRequestSchema, SignedAddressSchema,
  type AddressBody, type AddressRequest, type AddressRequestBody, type MailboxAddress,
} from "../gen/purr/v1/contacts_pb";
import { aeadDecrypt, aeadEncrypt, agree, blake2bKeyed, dhKeyFromSecret, hkdfSha256, sign, signingKeyFromSeed, verify } from "../crypto/sodium";
import { pad, unpad } from "../crypto/padding";
import type { RandomSource } from "../crypto/random";
import { concat, fromBase64Url, toBase64Url, utf8, withContext } from "../protocol/bytes";
import { parseAddress as parseServerAddress } from "../protocol/address";
import { CardError } from "./card";
import { isValidMlKemPublicKey, mlKemCiphertextBytes, mlKemDecapsulate, mlKemEncapsulate, mlKemPublicKey } from "../crypto/mlkem";

/** A post-quantum address (requests sealed with X25519 and ML-KEM-768); version 1 addresses are still read. */
export const ADDRESS_VERSION = 2;
export const CLASSIC_ADDRESS_VERSION = 1;
export const ADDRESS_PREFIX = "purr:address/";
export const MAX_REQUEST_MESSAGE = 280;

export interface ContactAddress { body: AddressBody; signedBytes: Uint8Array; link: string }

/** requestKemSeed: the 64-byte ML-KEM-768 seed of a post-quantum address; null for a classic one. */
export function createAddress(addressKeySeed: Uint8Array, requestKeySecret: Uint8Array, mailbox: MailboxAddress, displayName: string, requestKemSeed: Uint8Array | null = null): ContactAddress {
  const addressKey = signingKeyFromSeed(addressKeySeed);
  const body = create(AddressBodySchema, {
    version: requestKemSeed ? ADDRESS_VERSION : CLASSIC_ADDRESS_VERSION, addressKey: addressKey.publicKey,
    requestKey: dhKeyFromSecret(requestKeySecret).publicKey, mailbox, displayName,
    requestKemKey: requestKemSeed ? mlKemPublicKey(requestKemSeed) : new Uint8Array(0),
  });
  const bodyBytes = toBinary(AddressBodySchema, body);
  const signature = sign(addressKey, withContext("purr/v1 address", bodyBytes));
  const signedBytes = toBinary(SignedAddressSchema, create(SignedAddressSchema, { body: bodyBytes, signature }));
  return { body, signedBytes, link: ADDRESS_PREFIX + toBase64Url(signedBytes) };
}

export const isAddressLink = (text: string) => text.trim().startsWith(ADDRESS_PREFIX);

/** Reads a purr:address/ link and checks its signature and version; throws CardError with a reason a user understands. */
export function parseContactAddress(text: string): ContactAddress {
  const trimmed = text.trim();
  if (!trimmed.startsWith(ADDRESS_PREFIX)) throw new CardError("malformed", "this is not a Purr contact address (it should start with purr:address/)");
  const incomplete = "the address link is incomplete or damaged (was it cut off when copied?); copy the whole link again";
  const bytes = fromBase64Url(trimmed.slice(ADDRESS_PREFIX.length));
  if (!bytes) throw new CardError("malformed", incomplete);
  let body: AddressBody;
  let bodyBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    const signed = fromBinary(SignedAddressSchema, bytes);
    bodyBytes = signed.body;
    signature = signed.signature;
    body = fromBinary(AddressBodySchema, bodyBytes);
  } catch {
    throw new CardError("malformed", incomplete);
  }
  if (signature.length !== 64 || body.addressKey.length !== 32 || body.requestKey.length !== 32 || !body.mailbox
    || body.mailbox.sendId.length !== 16 || !parseServerAddress(body.mailbox.server)) {
    throw new CardError("malformed", incomplete);
  }
  if (!verify(body.addressKey, withContext("purr/v1 address", bodyBytes), signature)) {
    throw new CardError("tampered", "the address's signature does not match: a character of it was changed or someone altered it; copy the whole link again");
  }
  if (body.version !== ADDRESS_VERSION && body.version !== CLASSIC_ADDRESS_VERSION) {
    throw new CardError("unsupportedVersion", `the address has version ${body.version}; this client reads versions ${CLASSIC_ADDRESS_VERSION} and ${ADDRESS_VERSION}`);
  }
  if (body.version === ADDRESS_VERSION ? !isValidMlKemPublicKey(body.requestKemKey) : body.requestKemKey.length !== 0) {
    throw new CardError("malformed", "the address is damaged (its post-quantum key is missing or invalid)");
  }
  return { body, signedBytes: bytes, link: ADDRESS_PREFIX + toBase64Url(bytes) };
}

/** The requester's block tag for one address: BLAKE2b-256(key = tag secret, "purr/v1 address tag" ‖ 0x00 ‖ address key). */
export const blockTag = (tagSecret: Uint8Array, addressKey: Uint8Array) => blake2bKeyed(withContext("purr/v1 address tag", addressKey), 32, tagSecret);

/** Classic: HKDF(DH, "purr/v1 address request"); post-quantum: HKDF(DH ‖ SS, "purr/v2 address request"). */
function sealKey(shared: Uint8Array, kemSecret: Uint8Array | null): [Uint8Array, Uint8Array] {
  const out = kemSecret
    ? hkdfSha256(concat(shared, kemSecret), new Uint8Array(32), utf8("purr/v2 address request"), 56)
    : hkdfSha256(shared, new Uint8Array(32), utf8("purr/v1 address request"), 56);
  return [out.slice(0, 32), out.slice(32)];
}

export function sealAddressRequest(address: ContactAddress, body: AddressRequestBody, random: RandomSource): AddressRequest {
  const ephemeral = dhKeyFromSecret(random.bytes(32));
  const shared = agree(ephemeral.secret, address.body.requestKey);
  if (!shared) throw new CardError("malformed", "the address's key is invalid");
  const kem = address.body.version === ADDRESS_VERSION ? mlKemEncapsulate(address.body.requestKemKey, random) : null;
  if (address.body.version === ADDRESS_VERSION && !kem) throw new CardError("malformed", "the address's post-quantum key is invalid");
  const kemCiphertext = kem?.ciphertext ?? new Uint8Array(0);
  const [key, nonce] = sealKey(shared, kem?.secret ?? null);
  const sealed = aeadEncrypt(key, nonce, pad(toBinary(AddressRequestBodySchema, body)), concat(ephemeral.publicKey, address.body.addressKey, kemCiphertext));
  return create(AddressRequestSchema, { ephemeralKey: ephemeral.publicKey, sealed, kemCiphertext });
}

/**
 * The request's body, or null when it was not sealed to this address or was altered. A post-quantum address
 * (requestKemSeed given) takes only requests with a KEM ciphertext, a classic one only without.
 */
export function openAddressRequest(request: AddressRequest, requestKeySecret: Uint8Array, addressKey: Uint8Array, requestKemSeed: Uint8Array | null = null): AddressRequestBody | null {
  if (requestKemSeed ? request.kemCiphertext.length !== mlKemCiphertextBytes : request.kemCiphertext.length !== 0) return null;
  if (request.ephemeralKey.length !== 32) return null;
  const shared = agree(requestKeySecret, request.ephemeralKey);
  if (!shared) return null;
  const [key, nonce] = sealKey(shared, requestKemSeed ? mlKemDecapsulate(requestKemSeed, request.kemCiphertext) : null);
  const padded = aeadDecrypt(key, nonce, request.sealed, concat(request.ephemeralKey, addressKey, request.kemCiphertext));
  const plain = padded ? unpad(padded) : null;
  if (!plain) return null;
  try {
    return fromBinary(AddressRequestBodySchema, plain);
  } catch {
    return null;
  }
}
