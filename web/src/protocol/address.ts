// purr://<fingerprint>@host:port[?transport=URL&…] (PROTOCOL.md section 1).
import { fromBase64Url, toBase64Url } from "./bytes";

export const DEFAULT_PORT = 7878;
export const MAX_TRANSPORTS = 8;

/** transports: the further endpoints the address lists (URLs, in order); the browser itself only uses the WebSocket. */
export interface PurrAddress { identityKey: Uint8Array; host: string; port: number; transports?: string[] }

const BASE = /^purr:\/\/([A-Za-z0-9_-]{43})@(\[[0-9a-fA-F:.]+\]|[^:/@\s[\]?]+)(?::(\d{1,5}))?\/?$/;
const HOST = String.raw`(\[[0-9a-fA-F:.]+\]|[^:/@\s[\]?#]+)`;
const PORT = String.raw`(?::(\d{1,5}))?`;
const KNOWN: Record<string, RegExp> = {
  ws: new RegExp(`^ws://${HOST}${PORT}(/[^?#\\s]*)?$`),
  wss: new RegExp(`^wss://${HOST}${PORT}(/[^?#\\s]*)?$`),
  tcp: new RegExp(`^tcp://${HOST}${PORT}/?$`),
  mqtt: new RegExp(`^mqtt://${HOST}${PORT}/([A-Za-z0-9/._-]{1,128})/?$`),
};

/** One transport value: true if well formed, false if malformed, null for a scheme this client does not know. */
function checkTransport(value: string): boolean | null {
  if (value.startsWith("unix:")) {
    const path = value.slice(5).replace(/^\/\/\//, "/");
    return path.startsWith("/") && !path.startsWith("//") && path.length <= 107;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(value)?.[1];
  if (!scheme || !(scheme in KNOWN)) return null;
  const match = KNOWN[scheme]!.exec(value);
  if (!match) return false;
  if (match[2] && (Number(match[2]) < 1 || Number(match[2]) > 65535)) return false;
  if (scheme === "mqtt") return match[3]!.replace(/\/$/, "").split("/").every(level => level.length > 0);
  return true;
}

export function parseAddress(text: string): PurrAddress | null {
  const trimmed = text.trim();
  const query = trimmed.indexOf("?");
  const match = BASE.exec(query < 0 ? trimmed : trimmed.slice(0, query));
  if (!match) return null;
  const key = fromBase64Url(match[1]!);
  const port = match[3] ? Number(match[3]) : DEFAULT_PORT;
  if (!key || key.length !== 32 || port < 1 || port > 65535) return null;
  const transports: string[] = [];
  for (const pair of query < 0 ? [] : trimmed.slice(query + 1).split("&")) {
    const equals = pair.indexOf("=");
    if (equals < 0 || pair.slice(0, equals) !== "transport") continue;
    let value: string;
    try { value = decodeURIComponent(pair.slice(equals + 1)); } catch { return null; }
    const known = checkTransport(value);
    if (known === false) return null;
    if (known === null) continue;
    if (transports.length === MAX_TRANSPORTS) return null;
    transports.push(value);
  }
  return { identityKey: key, host: match[2]!.replace(/^\[|\]$/g, ""), port, transports };
}

function escapeValue(value: string): string {
  return value.replace(/%/g, "%25").replace(/&/g, "%26").replace(/#/g, "%23").replace(/ /g, "%20").replace(/\+/g, "%2B");
}

export function formatAddress(address: PurrAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const plain = `purr://${toBase64Url(address.identityKey)}@${host}:${address.port}`;
  const transports = address.transports ?? [];
  return transports.length === 0 ? plain : `${plain}?${transports.map(t => "transport=" + escapeValue(t)).join("&")}`;
}

/** Same key, host and port: the same server, whatever transports either lists. */
export function sameServer(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return !!x && !!y && formatAddress({ ...x, transports: [] }) === formatAddress({ ...y, transports: [] });
}
