// Registration on the page's server (PROTOCOL.md, "Registration"): the credential each creation carries
// (the server password, an account, or one creation token), and invite redemption with RFC 9474 blind
// signatures, so the server cannot link this profile's mailboxes and rooms to each other or to the invite.
import { create } from "@bufbuild/protobuf";
import { RegistrationPolicy, RegistrationSchema, type Registration, type RegistrationInfo } from "../gen/purr/v1/registration_pb";
import { blind, finalize, keyFromWire, type BlindRsaKey } from "../crypto/blind-rsa";
import type { RandomSource } from "../crypto/random";
import { verify } from "../crypto/sodium";
import { equalBytes, fromBase64Url } from "../protocol/bytes";
import { creationToken, tokenKey } from "../protocol/signed-bytes";
import { parseAddress, type PurrAddress } from "../protocol/address";
import type { PurrConnection } from "../net/connection";
import type { RegistrationData } from "./model";

export const INVITE_PREFIX = "purr:invite/";
/** Tokens asked for per redemption (servers allow 20 by default); the CLI asks for as many. */
export const TOKEN_BATCH = 10;

export type PolicyName = "open" | "password" | "invite" | "accounts" | "closed";

export function policyOf(info: RegistrationInfo | undefined): RegistrationPolicy {
  return info && info.policy !== RegistrationPolicy.UNSPECIFIED ? info.policy : RegistrationPolicy.OPEN;
}

/** purr:invite/<base64url(purr:// address)>#<base64url(16-byte secret)>, or null. */
export function parseInviteLink(text: string): { server: PurrAddress; secret: Uint8Array } | null {
  const trimmed = text.trim();
  const hash = trimmed.indexOf("#");
  if (!trimmed.startsWith(INVITE_PREFIX) || hash < 0) return null;
  const address = fromBase64Url(trimmed.slice(INVITE_PREFIX.length, hash));
  const secret = fromBase64Url(trimmed.slice(hash + 1));
  const server = address ? parseAddress(new TextDecoder().decode(address)) : null;
  return server && secret?.length === 16 ? { server, secret } : null;
}

/** The server's token key from its hello, refused unless the pinned identity key signed it. */
export function tokenKeyOf(info: RegistrationInfo | undefined, identityKey: Uint8Array): BlindRsaKey {
  const wire = info?.tokenKey;
  if (policyOf(info) !== RegistrationPolicy.INVITE || !wire) throw new Error("this server does not take invites");
  const key = keyFromWire(wire.modulus, wire.exponent);
  if (!key || !equalBytes(key.keyId, wire.keyId) || !verify(identityKey, tokenKey(key.keyId), wire.signature)) {
    throw new Error("the server's token key is malformed or not signed by its identity key");
  }
  return key;
}

/** Redeems up to `count` of an invite's tokens on `connection`: blinded here, signed there, finalized here. */
export async function redeemInvite(
  connection: PurrConnection, identityKey: Uint8Array, secret: Uint8Array, count: number, random: RandomSource,
): Promise<{ tokens: RegistrationData["tokens"]; left: number }> {
  const key = tokenKeyOf(connection.registration, identityKey);
  const pending = Array.from({ length: count }, () => {
    const nonce = random.bytes(32);
    return { nonce, blinded: blind(key, creationToken(key.keyId, nonce), random) };
  });
  const response = await connection.request({ case: "redeemInvite", value: { inviteSecret: secret, blindedMessages: pending.map(p => p.blinded.message) } });
  if (response.body.case !== "tokensIssued") throw new Error("unexpected answer to RedeemInvite");
  const signatures = response.body.value.blindSignatures;
  if (signatures.length > count) throw new Error("the server returned more blind signatures than were asked for");
  const tokens = signatures.map((blindSignature, i) => {
    const { nonce, blinded } = pending[i]!;
    return { keyId: key.keyId, nonce, signature: finalize(key, creationToken(key.keyId, nonce), blindSignature, blinded.inverse) };
  });
  return { tokens, left: response.body.value.tokensLeft };
}

/**
 * The credential for one creation, or undefined when the profile holds none for this policy (the server then
 * answers REGISTRATION_REQUIRED). A token leaves the profile, which is saved, before it is sent.
 */
export async function takeCredential(
  registration: RegistrationData | undefined, connection: PurrConnection, identityKey: Uint8Array, random: RandomSource, save: () => Promise<void>,
): Promise<Registration | undefined> {
  switch (policyOf(connection.registration)) {
    case RegistrationPolicy.PASSWORD:
      return registration?.serverPassword ? create(RegistrationSchema, { credential: { case: "serverPassword", value: registration.serverPassword } }) : undefined;
    case RegistrationPolicy.ACCOUNTS:
      return registration?.accountName && registration.accountPassword
        ? create(RegistrationSchema, { credential: { case: "account", value: { name: registration.accountName, password: registration.accountPassword } } })
        : undefined;
    case RegistrationPolicy.INVITE: {
      if (!registration) return undefined;
      if (registration.tokens.length === 0 && registration.inviteSecret) {
        const { tokens, left } = await redeemInvite(connection, identityKey, registration.inviteSecret, TOKEN_BATCH, random);
        registration.tokens.push(...tokens);
        registration.inviteTokensLeft = left;
        await save();
      }
      const token = registration.tokens.shift();
      if (!token) return undefined;
      await save();
      return create(RegistrationSchema, { credential: { case: "token", value: token } });
    }
    default:
      return undefined;
  }
}
