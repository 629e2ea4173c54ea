// purr://<fingerprint>@host:port (PROTOCOL.md section 1).
import { fromBase64Url, toBase64Url } from "./bytes";

export const DEFAULT_PORT = 7878;

export interface PurrAddress { identityKey: Uint8Array; host: string; port: number }

export function parseAddress(text: string): PurrAddress | null {
  const match = /^purr:\/\/([A-Za-z0-9_-]{43})@(\[[0-9a-fA-F:.]+\]|[^:/@\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(text.trim());
  if (!match) return null;
  const key = fromBase64Url(match[1]!);
  const port = match[3] ? Number(match[3]) : DEFAULT_PORT;
  if (!key || key.length !== 32 || port < 1 || port > 65535) return null;
  return { identityKey: key, host: match[2]!.replace(/^\[|\]$/g, ""), port };
}

export function formatAddress(address: PurrAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `purr://${toBase64Url(address.identityKey)}@${host}:${address.port}`;
}

/** Same key, host and port: the same server. */
export function sameServer(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return !!x && !!y && formatAddress(x) === formatAddress(y);
}
