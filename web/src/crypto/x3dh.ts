// X3DH over a rendezvous card (PROTOCOL.md 10.2): the card's prekey is single use, so there is no DH4.
import { agree, hkdfSha256 } from "./sodium";
import type { SessionSecrets } from "./ratchet";
import { concat, utf8 } from "../protocol/bytes";

const info = utf8("purr/v1 x3dh");

export function x3dhInitiate(identityDhSecret: Uint8Array, ephemeralSecret: Uint8Array, responderIdentityDh: Uint8Array, responderPrekey: Uint8Array): SessionSecrets | null {
  return derive(agree(identityDhSecret, responderPrekey), agree(ephemeralSecret, responderIdentityDh), agree(ephemeralSecret, responderPrekey));
}

export function x3dhRespond(identityDhSecret: Uint8Array, prekeySecret: Uint8Array, initiatorIdentityDh: Uint8Array, initiatorEphemeral: Uint8Array): SessionSecrets | null {
  return derive(agree(prekeySecret, initiatorIdentityDh), agree(identityDhSecret, initiatorEphemeral), agree(prekeySecret, initiatorEphemeral));
}

function derive(dh1: Uint8Array | null, dh2: Uint8Array | null, dh3: Uint8Array | null): SessionSecrets | null {
  if (!dh1 || !dh2 || !dh3) return null;
  const km = hkdfSha256(concat(new Uint8Array(32).fill(0xff), dh1, dh2, dh3), new Uint8Array(32), info, 96);
  return { sharedKey: km.slice(0, 32), initiatorHeaderKey: km.slice(32, 64), responderNextHeaderKey: km.slice(64) };
}
