// What the contacts and rooms modules need from the client, and nothing more. The modules depend on this
// interface and the client implements it, so app/client.ts depends on the modules but not the other way
// round (there used to be an import circle client ⇄ contacts ⇄ rooms).

import type { ServerFrame } from "../gen/purr/v1/frames_pb";
import type { SigningKeyPair } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";
import type { RequestOp, Signer } from "../net/connection";
import type { MailboxRecord, ProfileData } from "./model";
import type { Registration } from "../gen/purr/v1/registration_pb";

export type ClientEvent =
  | { kind: "changed" }
  | { kind: "connection"; online: boolean }
  | { kind: "message"; where: "contact" | "room"; id: string; title: string }
  | { kind: "problem"; text: string }
  | { kind: "broadcast"; id: string; text: string; sentAt: number };

export interface ClientServices {
  readonly data: ProfileData;
  readonly random: RandomSource;
  now(): number;
  emit(event: ClientEvent): void;
  /** Writes the profile (debounced and serialized by the client). */
  save(): Promise<void>;
  /** Runs `action` after every action queued before it: one change to the profile at a time. */
  serialized<T>(action: () => Promise<T>): Promise<T>;
  request(op: RequestOp, signer?: Signer, mailboxSigner?: Signer): Promise<ServerFrame>;
  /** A request to `server`: the page's own (absent), or another reached through it (a relayed connection, PROTOCOL.md 15.6). */
  requestAt(server: string | undefined, op: RequestOp, signer?: Signer, mailboxSigner?: Signer): Promise<ServerFrame>;
  /** A mailbox on the page's own server, or on `server` (a persistent room's elsewhere) through it. */
  createMailbox(liveOnly?: boolean, server?: string): Promise<MailboxRecord>;
  /** Runs a creation (a room) with the credential the server's registration policy asks for. */
  creating<T>(attempt: (registration: Registration | undefined) => Promise<T>): Promise<T>;
  secureMailbox(mailbox: MailboxRecord, senderKey: Uint8Array): Promise<void>;
  subscribe(mailbox: MailboxRecord): Promise<void>;
  deleteMailbox(mailbox: MailboxRecord): Promise<void>;
  /** Sends to a mailbox on `server` (default: the page's own); another server's is reached through this one (PROTOCOL.md 15). */
  send(sendId: Uint8Array, payload: Uint8Array, senderKey?: SigningKeyPair, tag?: Uint8Array, server?: string, route?: string): Promise<void>;
  /** Adds block tags to one of this profile's mailboxes (PROTOCOL.md 4, "Blocking"); clear empties its list first. */
  blockSenders(mailbox: MailboxRecord, tags: Uint8Array[], clear: boolean): Promise<void>;
}
