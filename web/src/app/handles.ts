// Handles (name@server) for this profile's contact address, resolving others' handles, and the server's opt-in
// directory (PROTOCOL.md section 14). The browser reaches only its own server, so only handles there resolve.
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import type { DirectoryEntry, HandleResolved } from "../gen/purr/v1/directory_pb";
import { sign, signingKeyFromSeed } from "../crypto/sodium";
import { handleRequest } from "../protocol/signed-bytes";
import { parseAddress } from "../protocol/address";
import { PurrError, type Signer } from "../net/connection";
import type { ClientServices } from "./client-services";

const DEFAULT_PORT = 7878;

export interface HandleText { name: string; host: string; port: number }

/** "name@host[:port]" (not a link), or null. */
export function parseHandle(text: string): HandleText | null {
  const match = /^([^@\s:/]+)@(\[[0-9a-fA-F:.]+\]|[^:@\s/[\]]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match || text.trim().startsWith("purr:")) return null;
  const port = match[3] ? Number(match[3]) : DEFAULT_PORT;
  if (port < 1 || port > 65535) return null;
  return { name: match[1]!.toLowerCase(), host: match[2]!.replace(/^\[|\]$/g, ""), port };
}

export class HandlesModule {
  constructor(private readonly client: ClientServices) {}

  private get data() {
    return this.client.data;
  }

  /** This profile's handle as name@host:port, or null. */
  get handle(): string | null {
    const address = this.data.address;
    const server = parseAddress(this.data.server);
    if (!address?.handle || !server) return null;
    const host = server.host.includes(":") ? `[${server.host}]` : server.host;
    return server.port === DEFAULT_PORT ? `${address.handle}@${host}` : `${address.handle}@${host}:${server.port}`;
  }

  register(name: string): Promise<string> {
    return this.client.serialized(async () => {
      const address = this.data.address;
      if (!address) throw new Error("a handle points to your contact address: create it first");
      try {
        await this.client.creating(registration => this.client.request(
          { case: "registerHandle", value: { name, addressLink: address.link, registration } }, this.signer()));
      } catch (e) {
        if (e instanceof PurrError && e.code === ErrorCode.HANDLE_TAKEN) throw new Error(`the handle '${name}' is taken on this server; try another`);
        throw e;
      }
      address.handle = name.trim().toLowerCase();
      await this.client.save();
      return this.handle!;
    });
  }

  release(): Promise<void> {
    return this.client.serialized(async () => {
      const address = this.data.address;
      if (!address?.handle) return;
      await this.client.request({ case: "releaseHandle", value: { name: address.handle } }, this.signer());
      address.handle = undefined;
      await this.client.save();
    });
  }

  setListing(listed: boolean, description = "", freeForChatHours = 0): Promise<void> {
    return this.client.serialized(async () => {
      const handle = this.data.address?.handle;
      if (!handle) throw new Error("only a handle can be listed: register one first");
      await this.client.request(
        { case: "setListing", value: { name: handle, listed, description, freeForChatSeconds: Math.round(freeForChatHours * 3600) } }, this.signer());
    });
  }

  /** Resolves a handle on this page's server (the only one the browser reaches). */
  async resolve(text: string): Promise<HandleResolved> {
    const handle = parseHandle(text);
    const server = parseAddress(this.data.server);
    if (!handle || !server) throw new Error("this is not a handle (name@server)");
    if (handle.host.toLowerCase() !== server.host.toLowerCase() || handle.port !== server.port) {
      throw new Error("this handle is on another Purr server; the browser client talks only to the server it was opened from (use the purr CLI)");
    }
    try {
      const response = await this.client.request({ case: "resolveHandle", value: { name: handle.name } });
      if (response.body.case !== "handleResolved") throw new Error("unexpected answer to ResolveHandle");
      return response.body.value;
    } catch (e) {
      if (e instanceof PurrError && (e.code === ErrorCode.NOT_FOUND || e.code === ErrorCode.INVALID_ARGUMENT)) throw new Error(`nobody has the handle ${text.trim()}`);
      throw e;
    }
  }

  /** A name on this page's server, resolved over the page's connection. */
  async resolveOnThisServer(name: string): Promise<HandleResolved> {
    const response = await this.client.request({ case: "resolveHandle", value: { name } });
    if (response.body.case !== "handleResolved") throw new Error("unexpected answer to ResolveHandle");
    return response.body.value;
  }

  async search(query: string, freeOnly = false): Promise<DirectoryEntry[]> {
    const response = await this.client.request({ case: "searchDirectory", value: { query, freeForChatOnly: freeOnly } });
    return response.body.case === "directoryResults" ? [...response.body.value.entries] : [];
  }

  private signer(): Signer {
    return handleSigner(this.data.address!.addressKeySeed);
  }
}

/** Signs handle requests with a contact address's key ("purr/v1 handle request"). */
export function handleSigner(addressKeySeed: Uint8Array): Signer {
  const key = signingKeyFromSeed(addressKeySeed);
  return (bytes, nonce) => sign(key, handleRequest(nonce, bytes));
}
