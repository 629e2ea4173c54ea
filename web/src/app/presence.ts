// Encrypted presence (PROTOCOL.md 10.9), the C# Messenger's behaviour: opt-in; a live-only channel each way, offered
// inside the ratchet; statuses and queries sealed to it and never stored. An open, unlocked page is a running client.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { MailboxAddressSchema, MailboxPayloadSchema, PresencePlaintextSchema, PresenceStatus, type PresencePlaintext } from "../gen/purr/v1/contacts_pb";
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { signingKeyFromSeed } from "../crypto/sodium";
import { openPresence, sealPresence, MAX_PRESENCE_TEXT } from "../e2e/presence";
import { PurrError } from "../net/connection";
import { sameServer } from "../protocol/address";
import type { ClientServices } from "./client-services";
import type { ContactsModule } from "./contacts";
import { cleanText, type ContactRecord } from "./model";

const ANSWER_INTERVAL_MS = 2000;

export interface SeenPresence { status: PresenceStatus; text: string }

export class PresenceModule {
  /** What contacts said, by contact id; in memory only. */
  private readonly seen = new Map<string, SeenPresence & { at: bigint }>();
  private readonly answeredAt = new Map<string, number>();

  constructor(private readonly client: ClientServices, contacts: ContactsModule) {
    this.contacts = contacts;
    contacts.onPresenceChannel = (contact, sendId, key, server) => this.onChannel(contact, sendId, key, server);
  }

  private readonly contacts: ContactsModule;

  private get data() {
    return this.client.data;
  }

  get enabled(): boolean {
    return this.data.presence?.enabled ?? false;
  }

  /** A contact's presence as last heard (null: nothing heard, shown as offline when presence is on). */
  of(contactId: string): SeenPresence | null {
    return this.seen.get(contactId) ?? null;
  }

  set(status: PresenceStatus, text = ""): Promise<void> {
    if (text.length > MAX_PRESENCE_TEXT) return Promise.reject(new Error(`the status text is at most ${MAX_PRESENCE_TEXT} characters`));
    return this.client.serialized(async () => {
      this.data.presence = { enabled: true, status, text };
      await this.client.save();
      await this.ensureChannels();
      await this.tellAll(this.current());
    });
  }

  off(): Promise<void> {
    return this.client.serialized(async () => {
      await this.tellAll(create(PresencePlaintextSchema, { status: PresenceStatus.OFFLINE, sentAtMs: BigInt(Date.now()) }));
      this.data.presence = { enabled: false, status: this.data.presence?.status ?? PresenceStatus.ONLINE, text: "" };
      for (const contact of this.data.contacts) {
        if (!contact.presenceInbox) continue;
        await this.client.deleteMailbox(contact.presenceInbox);
        contact.presenceInbox = undefined;
        contact.presenceInboxKey = undefined;
      }
      this.seen.clear();
      await this.client.save();
      this.client.emit({ kind: "changed" });
    });
  }

  /** The page (re)connected: offer channels, say where we stand, ask who is online. */
  async onConnected(): Promise<void> {
    if (!this.enabled) return;
    await this.ensureChannels();
    await this.tellAll(this.current());
    await this.tellAll(create(PresencePlaintextSchema, { query: true, sentAtMs: BigInt(Date.now()) }));
  }

  /** Something arrived in a contact's presence channel (live, never stored). */
  async handlePresence(contact: ContactRecord, payload: Uint8Array): Promise<void> {
    let parsed;
    try {
      parsed = fromBinary(MailboxPayloadSchema, payload);
    } catch {
      return;
    }
    if (parsed.kind.case !== "presence" || !contact.presenceInboxKey) return;
    const presence = openPresence(contact.presenceInboxKey, parsed.kind.value);
    if (!presence) return;
    if (presence.query) {
      const last = this.answeredAt.get(contact.id) ?? 0;
      if (this.enabled && (contact.sharePresence ?? true) && Date.now() - last >= ANSWER_INTERVAL_MS) {
        this.answeredAt.set(contact.id, Date.now());
        await this.send(contact, this.current());
      }
      return;
    }
    const previous = this.seen.get(contact.id);
    if (previous && presence.sentAtMs <= previous.at) return;
    const status = [PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.BUSY].includes(presence.status) ? presence.status : PresenceStatus.OFFLINE;
    const text = cleanText(presence.text, MAX_PRESENCE_TEXT);
    this.seen.set(contact.id, { status, text, at: presence.sentAtMs });
    this.client.emit({ kind: "changed" });
  }

  setShare(contactId: string, share: boolean): Promise<void> {
    return this.client.serialized(async () => {
      const contact = this.data.contacts.find(c => c.id === contactId);
      if (!contact) return;
      contact.sharePresence = share;
      await this.client.save();
    });
  }

  private async onChannel(contact: ContactRecord, sendId: Uint8Array, key: Uint8Array, server: string): Promise<void> {
    contact.presenceOutbox = sameServer(server, this.data.server) ? { sendId, key } : { sendId, key, server };
    await this.client.save();
    if (!this.enabled) return;
    await this.ensureChannels();
    if (contact.sharePresence ?? true) await this.send(contact, this.current());
  }

  /** Every established contact gets a live-only channel to us, offered in the ratchet. */
  private async ensureChannels(): Promise<void> {
    for (const contact of this.data.contacts.filter(c => !c.presenceInbox && c.established && c.outbox && c.theirSenderKey)) {
      try {
        const inbox = await this.client.createMailbox(true);
        await this.client.secureMailbox(inbox, contact.theirSenderKey!);
        contact.presenceInbox = inbox;
        contact.presenceInboxKey = this.client.random.bytes(32);
        await this.client.save();
        await this.client.subscribe(inbox);
        await this.contacts.sendControl(contact, {
          case: "presenceChannel",
          value: { $typeName: "purr.v1.PresenceChannel", mailbox: create(MailboxAddressSchema, { server: this.data.server, sendId: inbox.sendId }), key: contact.presenceInboxKey },
        });
      } catch (e) {
        if (!(e instanceof PurrError)) throw e;
        // Offered again on the next connect.
      }
    }
  }

  private async tellAll(presence: PresencePlaintext): Promise<void> {
    for (const contact of this.data.contacts.filter(c => c.sharePresence ?? true)) await this.send(contact, presence);
  }

  private async send(contact: ContactRecord, presence: PresencePlaintext): Promise<void> {
    const outbox = contact.presenceOutbox;
    if (!outbox || !contact.outbox) return;
    const payload = create(MailboxPayloadSchema, { kind: { case: "presence", value: sealPresence(outbox.key, presence, this.client.random) } });
    try {
      await this.client.send(outbox.sendId, toBinary(MailboxPayloadSchema, payload), signingKeyFromSeed(contact.outbox.senderKeySeed), undefined, outbox.server, contact.route);
    } catch (e) {
      if (e instanceof PurrError && e.code === ErrorCode.AUTH) {
        // The contact turned presence off.
        contact.presenceOutbox = undefined;
        await this.client.save();
      } else if (!(e instanceof PurrError) && !outbox.server) {
        // Presence to another server is best effort too: a server that does not relay there must not keep saying so.
        throw e;
      }
    }
  }

  private current(): PresencePlaintext {
    const presence = this.data.presence;
    return create(PresencePlaintextSchema, { status: presence?.status ?? PresenceStatus.ONLINE, text: presence?.text ?? "", sentAtMs: BigInt(Date.now()) });
  }
}
