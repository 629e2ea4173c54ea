// purr:room/<base64url(RoomInvite)>#<base64url(room key)>: the key after '#' never goes to the server.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { RoomInviteSchema, type RoomInvite } from "../gen/purr/v1/rooms_pb";
import { fromBase64Url, toBase64Url } from "../protocol/bytes";
import { parseAddress } from "../protocol/address";

export const ROOM_PREFIX = "purr:room/";

export interface RoomLink { invite: RoomInvite; roomKey: Uint8Array }

export function formatRoomLink(link: RoomLink): string {
  return `${ROOM_PREFIX}${toBase64Url(toBinary(RoomInviteSchema, link.invite))}#${toBase64Url(link.roomKey)}`;
}

export function parseRoomLink(text: string): RoomLink {
  const trimmed = text.trim();
  const hash = trimmed.indexOf("#");
  const inviteBytes = trimmed.startsWith(ROOM_PREFIX) && hash > 0 ? fromBase64Url(trimmed.slice(ROOM_PREFIX.length, hash)) : null;
  const key = hash > 0 ? fromBase64Url(trimmed.slice(hash + 1)) : null;
  if (!inviteBytes || !key || key.length !== 32) throw new Error("this is not a Purr room link (purr:room/…#…)");
  let invite: RoomInvite;
  try {
    invite = fromBinary(RoomInviteSchema, inviteBytes);
  } catch {
    throw new Error("the room link is damaged");
  }
  if (invite.roomId.length !== 16 || !parseAddress(invite.server)) throw new Error("the room link is damaged");
  return { invite: create(RoomInviteSchema, invite), roomKey: key };
}
