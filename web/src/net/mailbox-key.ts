// Asks a server for a mailbox's key (PROTOCOL.md 4, "Mailbox keys"), sealed to a key pair made for this one request.
import type { MailboxCredential } from "../protocol/mailbox-keys";
import { newBoxKey, openMailboxKey } from "../protocol/mailbox-keys";
import type { PurrConnection, Signer } from "./connection";

/** The mailbox's key, proven by `signer` (the recipient key); throws when the answer does not open. */
export async function getMailboxKey(connection: PurrConnection, receiveId: Uint8Array, signer: Signer): Promise<MailboxCredential> {
  const box = newBoxKey();
  const response = await connection.request({ case: "getMailboxKey", value: { receiveId, boxKey: box.publicKey } }, signer);
  const key = response.body.case === "mailboxKey" ? openMailboxKey(response.body.value.sealedKey, box) : null;
  if (key === null) throw new Error("the server's mailbox key did not open with the key it was sealed to");
  return { receiveId, key };
}
