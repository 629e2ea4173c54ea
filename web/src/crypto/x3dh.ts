// X3DH over a rendezvous card (PROTOCOL.md 10.2): the card's prekey is single use, so there is no DH4.
// With a post-quantum card, Signal's PQXDH: KM = F ‖ DH1 ‖ DH2 ‖ DH3 ‖ SS under its own info string.
import { agree, hkdfSha256 } from "./sodium";
import type { SessionSecrets } from "./ratchet";
import { concat, utf8 } from "../protocol/bytes";

const info = utf8("purr/v1 x3dh");
const pqInfo = utf8("purr/v2 pqxdh X25519 SHA-256 ML-KEM-768");

export function x3dhInitiate(identityDhSecret: Uint8Array, ephemeralSecret: Uint8Array, responderIdentityDh: Uint8Array, responderPrekey: Uint8Array, kemSecret: Uint8Array | null = null): SessionSecrets | null {
  return derive(agree(identityDhSecret, responderPrekey), agree(ephemeralSecret, responderIdentityDh), agree(ephemeralSecret, responderPrekey), kemSecret);
}

export function x3dhRespond(identityDhSecret: Uint8Array, prekeySecret: Uint8Array, initiatorIdentityDh: Uint8Array, initiatorEphemeral: Uint8Array, kemSecret: Uint8Array | null = null): SessionSecrets | null {
  return derive(agree(prekeySecret, initiatorIdentityDh), agree(identityDhSecret, initiatorEphemeral), agree(prekeySecret, initiatorEphemeral), kemSecret);
}

function derive(dh1: Uint8Array | null, dh2: Uint8Array | null, dh3: Uint8Array | null, kemSecret: Uint8Array | null): SessionSecrets | null {
  if (!dh1 || !dh2 || !dh3) return null;
  const km = hkdfSha256(concat(new Uint8Array(32).fill(0xff), dh1, dh2, dh3, kemSecret ?? new Uint8Array(0)), new Uint8Array(32), kemSecret ? pqInfo : info, 96);
  return { sharedKey: km.slice(0, 32), initiatorHeaderKey: km.slice(32, 64), responderNextHeaderKey: km.slice(64) };
}
