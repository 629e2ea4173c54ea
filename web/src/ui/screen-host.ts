// What a screen may use of the app shell. Screens (contact-screens.ts, room-screens.ts) depend on this and
// app.ts implements it, so the shell imports the screens and no screen imports the shell.
import type { PurrClient } from "../app/client";
import type { ChatMessage } from "../app/model";

export type View =
  | { kind: "home" }
  | { kind: "contact"; id: string }
  | { kind: "room"; id: string }
  | { kind: "invite"; id: string }
  | { kind: "newInvite" }
  | { kind: "accept" }
  | { kind: "newRoom" }
  | { kind: "joinRoom" }
  | { kind: "safety"; id: string }
  | { kind: "members"; id: string }
  | { kind: "address" }
  | { kind: "directory" }
  | { kind: "export" }
  | { kind: "devices" }
  | { kind: "search" };

export interface ScreenHost {
  readonly client: PurrClient;
  /** The pane a screen draws into (emptied before each screen). */
  readonly main: HTMLElement;
  /** Set by a screen: refreshes its live part (messages, members) without rebuilding its inputs. */
  refreshCurrent: (() => void) | null;
  go(view: View): void;
  toast(text: string): void;
  /** Runs an action, shows its error as a toast, then `then` on success. */
  act(action: () => Promise<unknown>, then: () => void): Promise<void>;
  /** A chat's messages (`chat`: its history key, "c:" or "r:" and the contact's or room's id). */
  messagesPane(chat: string, messages: () => ChatMessage[]): HTMLElement;
  fillMessages(): void;
  composer(send: (text: string) => Promise<void>): { form: HTMLElement; setState: (placeholder: string, disabled: boolean) => void };
}

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function copy(text: string, host: ScreenHost): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    host.toast("Copied.");
  } catch {
    host.toast("Copy it by hand: select the text.");
  }
}
