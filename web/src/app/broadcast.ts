// The server operator's emergency broadcast (PROTOCOL.md section 2): verified against the pinned server key.
import { fromBinary } from "@bufbuild/protobuf";
import { BroadcastBodySchema } from "../gen/purr/v1/frames_pb";
import { verify } from "../crypto/sodium";
import { toHex } from "../protocol/bytes";
import { serverBroadcast } from "../protocol/signed-bytes";

export interface Broadcast { id: string; text: string; sentAt: number }

/** The broadcast, or null when the signature fails, the body is malformed or it has expired. */
export function openBroadcast(body: Uint8Array, signature: Uint8Array, serverKey: Uint8Array, nowSeconds: number): Broadcast | null {
  if (!verify(serverKey, serverBroadcast(body), signature)) return null;
  try {
    const parsed = fromBinary(BroadcastBodySchema, body);
    if (parsed.broadcastId.length !== 16 || parsed.text.length === 0 || Number(parsed.expiresAt) <= nowSeconds) return null;
    return { id: toHex(parsed.broadcastId), text: parsed.text, sentAt: Number(parsed.sentAt) };
  } catch {
    return null;
  }
}
