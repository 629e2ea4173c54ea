// Disappearing messages (PROTOCOL.md 10.5): a chat's timer, set by either side and adopted by the other, and the
// expiry each text carries. Each side deletes a text that many seconds after it stored it (sent or received).
import type { ProfileData } from "./model";

export const MIN_SECONDS = 5;
export const MAX_SECONDS = 365 * 24 * 3600;

/** The choices the contact screen offers (seconds; 0 off). */
export const TIMER_CHOICES = [0, 30, 5 * 60, 3600, 8 * 3600, 86_400, 7 * 86_400, 28 * 86_400];

/** 0 stays off; anything else is held within the limits (a peer's out-of-range value is not an error). */
export const normalizeTimer = (seconds: number): number => (seconds === 0 ? 0 : Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, Math.floor(seconds))));

/** When a text stored at `now` with this timer is deleted; undefined for a text that is kept. */
export const expiryOf = (now: number, seconds: number): number | undefined => (seconds > 0 ? now + normalizeTimer(seconds) : undefined);

export function describeTimer(seconds: number): string {
  const plural = (count: number, unit: string) => (count === 1 ? `1 ${unit}` : `${count} ${unit}s`);
  if (seconds === 0) return "off";
  if (seconds % (7 * 86_400) === 0) return plural(seconds / (7 * 86_400), "week");
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, "day");
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

/** Drops every message whose time is up, in every chat; true if any went (the caller saves). */
export function purgeExpired(data: ProfileData, now: number): boolean {
  let changed = false;
  for (const chat of [...data.contacts, ...data.rooms]) {
    const kept = chat.messages.filter(m => m.expiresAt === undefined || m.expiresAt > now);
    if (kept.length !== chat.messages.length) {
      chat.messages = kept;
      changed = true;
    }
  }
  return changed;
}
