// Routes per contact in the browser (PROTOCOL.md 15.3 and 15.5; README "Routes"). The page reaches only its own server,
// so a contact on another server is always written to through it: "via-home" (one relay hop, the default) or an onion
// route of N servers ("hops:N", 2 to 5): the own server, N-1 picked at random for every message from the servers the
// own server's catalog lists as relaying (never the contact's own server), then the contact's server; or an onion
// route through servers the person names ("through:ADDR,ADDR", 1 to 4 after the own server), as `purr route --through`.
import { MAX_HOPS } from "../protocol/onion-packet";
import { fromBase64Url } from "../protocol/bytes";
import { parseAddress, sameServer } from "../protocol/address";
import { serverCatalog } from "../protocol/signed-bytes";
import { verify } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";

export type RouteChoice = { kind: "via-home" } | { kind: "hops"; hops: number } | { kind: "through"; servers: string[] };

/** A stored route; anything else (absent, or a form this version does not know) reads as via-home. */
export function parseRoute(text: string | undefined): RouteChoice {
  const hops = /^hops:([2-5])$/.exec(text ?? "");
  if (hops) return { kind: "hops", hops: Number(hops[1]) };
  const through = parseThrough((text ?? "").startsWith("through:") ? text!.slice(8) : null);
  return through ? { kind: "through", servers: through } : { kind: "via-home" };
}

/** 1 to 4 purr:// addresses separated by commas (or spaces), or null when that is not what `text` holds. */
export function parseThrough(text: string | null): string[] | null {
  if (text === null) return null;
  const servers = text.split(/[\s,]+/).filter(s => s.length > 0);
  return servers.length >= 1 && servers.length < MAX_HOPS && servers.every(s => parseAddress(s)) ? servers : null;
}

export function routeName(route: RouteChoice): string {
  return route.kind === "hops" ? `hops:${route.hops}` : route.kind === "through" ? `through:${route.servers.join(",")}` : "via-home";
}

/**
 * The relaying servers the page's own server lists (GET /.well-known/purr/catalog, PROTOCOL.md 15.4), trusted only if
 * its pinned identity key signed the list.
 */
export async function fetchCatalog(identityKey: Uint8Array): Promise<string[]> {
  const response = await fetch("/.well-known/purr/catalog", { cache: "no-store" });
  if (!response.ok) throw new Error(`your server's catalog could not be read (HTTP ${response.status})`);
  const outer = await response.json() as { body?: string; signature?: string };
  const body = fromBase64Url(outer.body ?? "");
  const signature = fromBase64Url(outer.signature ?? "");
  if (!body || !signature || !verify(identityKey, serverCatalog(body), signature)) {
    throw new Error("your server's catalog is not signed by its key; not using it");
  }
  const inner = JSON.parse(new TextDecoder().decode(body)) as { peers?: { address?: string; relays?: boolean }[] };
  return (inner.peers ?? []).filter(p => p.relays && typeof p.address === "string" && parseAddress(p.address)).map(p => p.address!);
}

/** `count` servers of `catalog`, none the own one or the destination, in a fresh random order (rejection sampling, no bias). */
export function pickHops(catalog: readonly string[], home: string, destination: string, count: number, random: RandomSource): string[] {
  if (count < 1 || count > MAX_HOPS - 1) throw new RangeError(`an onion route has 1 to ${MAX_HOPS - 1} servers besides yours`);
  const candidates = catalog.filter(a => !sameServer(a, home) && !sameServer(a, destination));
  if (candidates.length < count) {
    throw new Error(`your server's catalog lists ${candidates.length} server(s) to relay through, and this route needs ${count} besides yours; choose fewer`);
  }
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = uniform(i + 1, random);
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  return candidates.slice(0, count);
}

function uniform(bound: number, random: RandomSource): number {
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const value = new DataView(random.bytes(4).buffer).getUint32(0, true);
    if (value < limit) return value % bound;
  }
}
