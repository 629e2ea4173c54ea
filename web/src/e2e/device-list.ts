// The signed lists of PROTOCOL.md 10.10: a person's devices for one contact (under the per-contact identity) and a
// person's own devices (under the device key its devices share), and the code two devices show while linking.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DeviceListBodySchema, DeviceListSchema, OwnDevicesSchema, type DeviceList, type OwnDevices } from "../gen/purr/v1/contacts_pb";
import { sha256, sign, verify, type SigningKeyPair } from "../crypto/sodium";
import { equalBytes, toBase64Url, withContext } from "../protocol/bytes";
import { CARD_PREFIX, CardError, parseCard, type Card } from "./card";

/** The most devices one person may list: every message is sealed once per device. */
export const MAX_DEVICES = 8;

export interface DeviceEntry { deviceId: number; card: Uint8Array }

function signBody(key: SigningKeyPair, context: string, version: bigint, devices: DeviceEntry[]): { body: Uint8Array; signature: Uint8Array } {
  const body = toBinary(DeviceListBodySchema, create(DeviceListBodySchema, { version, devices }));
  return { body, signature: sign(key, withContext(context, body)) };
}

export function signContactList(identity: SigningKeyPair, version: bigint, devices: DeviceEntry[]): DeviceList {
  return create(DeviceListSchema, signBody(identity, "purr/v1 device list", version, devices));
}

export function signOwnList(deviceKey: SigningKeyPair, version: bigint, devices: DeviceEntry[]): OwnDevices {
  return create(OwnDevicesSchema, signBody(deviceKey, "purr/v1 own devices", version, devices));
}

export interface OpenedList { version: bigint; devices: { deviceId: number; card: Card }[] }

/** A contact's list, checked (signature, 1-8 distinct non-zero ids, every card valid and under the same key); null if not. */
export function openContactList(list: DeviceList, identityKey: Uint8Array, nowSeconds: number): OpenedList | null {
  return open(list.body, list.signature, identityKey, "purr/v1 device list", nowSeconds);
}

export function openOwnList(list: OwnDevices, deviceKey: Uint8Array, nowSeconds: number): OpenedList | null {
  return open(list.body, list.signature, deviceKey, "purr/v1 own devices", nowSeconds);
}

function open(bodyBytes: Uint8Array, signature: Uint8Array, key: Uint8Array, context: string, nowSeconds: number): OpenedList | null {
  if (signature.length !== 64 || !verify(key, withContext(context, bodyBytes), signature)) return null;
  let body;
  try {
    body = fromBinary(DeviceListBodySchema, bodyBytes);
  } catch {
    return null;
  }
  const ids = body.devices.map(d => d.deviceId);
  if (ids.length === 0 || ids.length > MAX_DEVICES || new Set(ids).size !== ids.length || ids.includes(0)) return null;
  const devices: OpenedList["devices"] = [];
  for (const entry of body.devices) {
    let card: Card;
    try {
      card = parseCard(CARD_PREFIX + toBase64Url(entry.card), nowSeconds);
    } catch (e) {
      if (e instanceof CardError) return null;
      throw e;
    }
    if (!equalBytes(card.body.identityKey, key)) return null;
    devices.push({ deviceId: entry.deviceId, card });
  }
  return { version: body.version, devices };
}

/** SHA-256("purr/v1 link code" ‖ 0x00 ‖ link identity ‖ new device's identity): first 8 bytes big-endian mod 10^8, as "1234 5678". */
export function linkCode(linkIdentityKey: Uint8Array, newDeviceIdentityKey: Uint8Array): string {
  const hash = sha256(withContext("purr/v1 link code", linkIdentityKey, newDeviceIdentityKey));
  const value = new DataView(hash.buffer, hash.byteOffset, 8).getBigUint64(0, false) % 100_000_000n;
  const digits = value.toString().padStart(8, "0");
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}

export const DEVICE_LINK_PREFIX = "purr:link/";
