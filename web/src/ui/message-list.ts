// A chat's messages on screen: the newest ones the profile keeps, earlier ones from the history store on request
// (PROTOCOL.md 9, "Browser history"), and deleting the chat's history. Text goes through renderMarkdown only.
import type { PurrClient } from "../app/client";
import type { ChatMessage } from "../app/model";
import { h, clear, append } from "./dom";
import { renderMarkdown } from "./markdown";

/** How many earlier messages each "Show earlier messages" adds. */
const PAGE = 200;

export class MessageList {
  readonly element = h("div", { class: "message-area" });
  private readonly list = h("ol", { class: "messages", "data-testid": "messages", "aria-live": "polite" });
  private readonly tools = h("div", { class: "history-tools row" });
  /** Messages older than the profile's window, loaded from the history store; the newest `shown` of them are on screen. */
  private earlier: ChatMessage[] = [];
  private shown = 0;
  /** The window at the last fill: when its first message changes, the ones before it moved out to the store. */
  private lastWindow: ChatMessage[] = [];
  private confirming = false;

  constructor(
    private readonly client: PurrClient,
    private readonly chat: string,
    private readonly messages: () => ChatMessage[],
    private readonly toast: (text: string) => void,
  ) {
    append(this.element, this.tools, this.list);
    void this.loadEarlier(0);
  }

  fill(first = false): void {
    // Messages leaving the profile's window while the chat is open stay on screen (they are in the store too);
    // those that disappeared or were deleted do not.
    const window = this.messages();
    if (!first && this.lastWindow.length > 0 && window[0] !== this.lastWindow[0]) {
      const now = Math.floor(Date.now() / 1000);
      const still = new Set(window.map(key));
      const left = this.lastWindow.filter(m => !still.has(key(m)) && !(m.expiresAt && m.expiresAt <= now) && (window.length === 0 || m.sentAt <= window[0]!.sentAt));
      if (window.length > 0) {
        this.earlier.push(...left);
        this.shown += left.length;
      }
    }
    this.lastWindow = [...window];
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    clear(list);
    for (const m of [...this.earlier.slice(this.earlier.length - this.shown), ...this.messages()]) list.appendChild(renderMessage(m));
    if (atBottom || first) list.scrollTop = list.scrollHeight;
    this.renderTools();
  }

  /** Reads what the store holds before the window; shows `more` more of them. */
  private async loadEarlier(more: number): Promise<void> {
    const window = this.messages();
    const inWindow = new Set(window.map(key));
    const oldest = window.find(m => !m.notice)?.sentAt ?? Number.MAX_SAFE_INTEGER;
    const stored = await this.client.chatHistory(this.chat);
    this.earlier = stored.filter(m => !inWindow.has(key(m)) && m.sentAt <= oldest);
    this.shown = Math.min(this.earlier.length, this.shown + more);
    this.fill(more === 0);
  }

  private renderTools(): void {
    clear(this.tools);
    const hidden = this.earlier.length - this.shown;
    if (hidden > 0) {
      append(this.tools, h("button", { class: "subtle", "data-testid": "show-earlier", onClick: () => void this.loadEarlier(PAGE) },
        `Show earlier messages (${hidden})`));
    }
    const total = this.earlier.length + this.messages().filter(m => !m.notice).length;
    if (total === 0) return;
    if (!this.confirming) {
      append(this.tools, h("button", { class: "subtle danger", "data-testid": "delete-history", onClick: () => { this.confirming = true; this.renderTools(); } },
        "Delete history"));
      return;
    }
    append(this.tools,
      h("span", { class: "small" }, "Delete this chat's messages on this device for good? "),
      h("button", { class: "danger", "data-testid": "confirm-delete-history", onClick: async () => {
        this.confirming = false;
        await this.client.deleteChatHistory(this.chat);
        this.earlier = [];
        this.shown = 0;
        this.toast("This chat's history is deleted on this device.");
        this.fill();
      } }, "Delete"),
      h("button", { class: "subtle", onClick: () => { this.confirming = false; this.renderTools(); } }, "Keep"));
  }
}

const key = (m: ChatMessage) => `${m.mine} ${m.id}`;

function renderMessage(m: ChatMessage): HTMLElement {
  const cls = m.notice ? "notice" : m.mine ? "mine" : "theirs";
  const body = h("div", { class: "body", dir: "auto" });
  if (m.notice) body.textContent = m.text;
  else body.appendChild(renderMarkdown(m.text, confirmLink));
  return h("li", { class: `message ${cls}${m.whisper ? " whisper" : ""}`, "data-testid": "message" },
    !m.notice && (!m.mine || m.whisper) && m.sender ? h("span", { class: "sender" }, m.sender) : null,
    m.whisper ? h("span", { class: "tag" }, "whisper") : null,
    body,
    h("span", { class: "meta" }, new Date(m.sentAt * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
      m.mine && m.delivered ? h("span", { class: "delivered", "data-testid": "delivered", title: "Delivered" }, " ✓✓") : null));
}

/** A link opens only after the user has seen where it really goes. */
export function confirmLink(url: string): void {
  const dialog = h("dialog", { class: "link-dialog", "data-testid": "link-dialog" },
    h("p", {}, "This link goes to:"),
    h("p", { class: "mono target", "data-testid": "link-target" }, url),
    h("div", { class: "row" },
      h("a", { href: url, rel: "noopener noreferrer", target: "_blank", class: "button", "data-testid": "link-open", onClick: () => dialog.close() }, "Open"),
      h("button", { class: "subtle", "data-testid": "link-cancel", onClick: () => dialog.close() }, "Cancel")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
}
