// The exact bytes under every signature (PROTOCOL.md section 6).
import { concat, withContext } from "./bytes";

export const serverX25519 = (key: Uint8Array) => withContext("purr/v1 server x25519", key, new Uint8Array(0));
export const serverHello = (sessionNonce: Uint8Array, clientNonce: Uint8Array) => withContext("purr/v1 server hello", sessionNonce, clientNonce);
export const recipientRequest = (sessionNonce: Uint8Array, request: Uint8Array) => withContext("purr/v1 recipient request", sessionNonce, request);
export const senderRequest = (sessionNonce: Uint8Array, request: Uint8Array) => withContext("purr/v1 sender request", sessionNonce, request);
export const handleRequest = (sessionNonce: Uint8Array, request: Uint8Array) => withContext("purr/v1 handle request", sessionNonce, request);
export const memberRequest = (sessionNonce: Uint8Array, request: Uint8Array) => withContext("purr/v1 member request", sessionNonce, request);
export const serverCatalog = (body: Uint8Array) => withContext("purr/v1 server catalog", body, new Uint8Array(0));
export const serverBroadcast = (body: Uint8Array) => withContext("purr/v1 server broadcast", body, new Uint8Array(0));
export const roomMessage = (roomId: Uint8Array, to: Uint8Array, ciphertext: Uint8Array) => withContext("purr/v1 room message", concat(roomId, to), ciphertext);
export const tokenKey = (keyId: Uint8Array) => withContext("purr/v1 token key", keyId, new Uint8Array(0));
/** Not an Ed25519 input: the message a creation token's RSA blind signature covers (PROTOCOL.md, "Registration"). */
export const creationToken = (keyId: Uint8Array, nonce: Uint8Array) => withContext("purr/v1 creation token", keyId, nonce);
