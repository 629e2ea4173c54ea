// The browser client's screens. Views are rebuilt from the profile on every change; every piece of
// user or peer text goes through text nodes or renderMarkdown, never through HTML.
import type { PurrClient, ClientEvent } from "../app/client";
import type { ChatMessage } from "../app/model";
import { h, clear, append } from "./dom";
import { MessageList } from "./message-list";
import { renderAccept, renderContact, renderInvite, renderNewInvite, renderSafety } from "./contact-screens";
import { renderAddress, renderDirectory } from "./address-screen";
import { presenceControl, presenceName } from "./presence-control";
import { renderJoinRoom, renderMembers, renderNewRoom, renderRoom } from "./room-screens";
import { messageOf, type ScreenHost, type View } from "./screen-host";
import { applyTheme } from "./theme";
import { askAccess } from "./registration";
import { renderExport } from "./portable-screens";
import { renderDevices } from "./device-screens";
import { renderSearch } from "./search-screen";


/** The app itself, once a profile is open: the shell, then the client connects. */
export async function runApp(root: HTMLElement, client: PurrClient): Promise<void> {
  const ui = new AppView(root, client);
  client.askRegistration = (policy, problem) => askAccess(client, policy, problem);
  ui.mount();
  client.on(event => ui.onEvent(event));
  try {
    await client.start();
  } catch (e) {
    ui.toast(`Offline: ${messageOf(e)}. Retrying…`);
  }
  ui.render();
}

/** The app shell: the top bar, the sidebar, navigation and the chat parts every screen shares; screens live in *-screens.ts. */
export class AppView implements ScreenHost {
  private view: View = { kind: "home" };
  private readonly sidebar = h("nav", { class: "sidebar", "data-testid": "sidebar", "aria-label": "Conversations" });
  readonly main = h("main", { class: "pane" });
  private readonly status = h("span", { class: "status", "data-testid": "status" });
  private readonly toastBox = h("div", { class: "toast", role: "status", "aria-live": "polite" });
  private readonly banner = h("div", { class: "broadcast", role: "alert", "data-testid": "broadcast", hidden: true });
  private readonly dismissedBroadcasts = new Set<string>();
  private messageList: MessageList | null = null;
  /** Refreshes the live part of the current view (messages, members) without rebuilding its inputs. */
  refreshCurrent: (() => void) | null = null;
  private readonly drafts = new Map<string, string>();
  private renderedView = "";

  constructor(private readonly root: HTMLElement, readonly client: PurrClient) {}

  mount(): void {
    clear(this.root);
    const themeButton = h("button", { class: "subtle", "data-testid": "theme", title: "Light or dark", onClick: () => this.toggleTheme() }, "◐");
    const move = h("button", { class: "subtle", "data-testid": "export-profile", onClick: () => this.go({ kind: "export" }), title: "Move this profile to another device" }, "Move");
    const devices = h("button", { class: "subtle", "data-testid": "devices", onClick: () => this.go({ kind: "devices" }), title: "Your devices: link one, remove one" }, "Devices");
    const notify = h("button", { class: "subtle", "data-testid": "notifications", onClick: () => this.askNotifications(), title: "Desktop notifications" }, "Notify me");
    append(this.root,
      h("header", { class: "topbar" },
        h("button", { class: "subtle back", "data-testid": "back", onClick: () => this.go({ kind: "home" }), "aria-label": "Back to conversations" }, "‹"),
        h("strong", {}, "Purr"), this.status, h("span", { class: "spacer" }), devices, move, notify, themeButton),
      this.banner,
      h("div", { class: "layout" }, this.sidebar, this.main),
      this.toastBox);
    this.render();
  }

  onEvent(event: ClientEvent): void {
    if (event.kind === "problem") this.toast(event.text);
    if (event.kind === "broadcast") this.showBroadcast(event.id, event.text, event.sentAt);
    if (event.kind === "message" && document.hidden && "Notification" in window && Notification.permission === "granted") {
      // Only who wrote, never what: notifications leave the page for the operating system.
      new Notification("Purr", { body: event.title, tag: event.id, silent: false });
    }
    this.render();
  }

  /** The operator's announcement, above everything until dismissed; each one once per page. */
  private showBroadcast(id: string, text: string, sentAt: number): void {
    if (this.dismissedBroadcasts.has(id)) return;
    clear(this.banner);
    append(this.banner,
      h("strong", {}, "Announcement from this server's operator"),
      h("span", { class: "muted small" }, ` ${new Date(sentAt * 1000).toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" })}, signed by the server key: `),
      h("span", { "data-testid": "broadcast-text" }, text),
      h("button", { class: "subtle", "data-testid": "dismiss-broadcast", onClick: () => { this.dismissedBroadcasts.add(id); this.banner.hidden = true; } }, "Dismiss"));
    this.banner.hidden = false;
  }

  toast(text: string): void {
    this.toastBox.textContent = text;
    this.toastBox.classList.add("shown");
    setTimeout(() => this.toastBox.classList.remove("shown"), 5000);
  }

  go(view: View): void {
    this.view = view;
    this.renderedView = "";
    this.render();
  }

  render(): void {
    this.status.textContent = this.client.online ? "online" : "offline";
    this.status.className = `status ${this.client.online ? "online" : "offline"}`;
    this.root.classList.toggle("in-conversation", this.view.kind !== "home");
    this.renderSidebar();
    const key = JSON.stringify(this.view);
    if (key !== this.renderedView) {
      this.renderedView = key;
      this.messageList = null;
      this.refreshCurrent = null;
      clear(this.main);
      this.renderMain();
    } else {
      this.refreshCurrent?.();
    }
  }

  private renderSidebar(): void {
    clear(this.sidebar);
    const data = this.client.data;
    const item = (label: string, unread: number, view: View, testid: string, extra?: string) =>
      h("li", {}, h("button", {
        class: `item ${JSON.stringify(view) === JSON.stringify(this.view) ? "active" : ""}`, "data-testid": testid,
        onClick: () => this.go(view),
      }, h("span", { class: "name" }, label), extra ? h("span", { class: "muted small" }, extra) : null,
        unread > 0 ? h("span", { class: "badge", "data-testid": "unread" }, String(unread)) : null));
    append(this.sidebar,
      h("div", { class: "actions" },
        h("button", { "data-testid": "invite", onClick: () => this.go({ kind: "newInvite" }) }, "Invite"),
        h("button", { "data-testid": "accept", onClick: () => this.go({ kind: "accept" }) }, "Add contact"),
        h("button", { "data-testid": "address", onClick: () => this.go({ kind: "address" }) }, "My address"),
        h("button", { "data-testid": "directory", onClick: () => this.go({ kind: "directory" }) }, "Directory"),
        h("button", { "data-testid": "new-room", onClick: () => this.go({ kind: "newRoom" }) }, "New room"),
        h("button", { "data-testid": "join-room", onClick: () => this.go({ kind: "joinRoom" }) }, "Join room"),
        h("button", { "data-testid": "search", onClick: () => this.go({ kind: "search" }) }, "Search")),
      h("h2", {}, "Contacts"),
      h("ul", { class: "list" },
        ...data.contacts.map(c => item(c.displayName, c.unread, { kind: "contact", id: c.id }, "contact-item", c.established ? this.contactNote(c.id, c.verified) : "waiting")),
        ...((data.requests ?? []).length > 0 ? [item(`Contact requests`, data.requests!.length, { kind: "address" }, "requests-item")] : []),
        ...data.invites.map(i => item(i.label || "invite", 0, { kind: "invite", id: i.id }, "invite-item", i.requested ? "request sent, waiting" : "invite not yet accepted"))),
      h("h2", {}, "Rooms"),
      h("ul", { class: "list" }, ...data.rooms.map(r => item(this.client.rooms.roomTitle(r), r.unread, { kind: "room", id: r.id }, "room-item", r.ended ? "ended" : undefined))));
  }

  /** "verified", the contact's presence ("online", "away: at lunch"), both, or nothing. */
  private contactNote(id: string, verified: boolean): string | undefined {
    const presence = this.client.presence;
    const seen = presence.enabled ? presence.of(id) : null;
    const parts = [
      presence.enabled ? presenceName(seen?.status) + (seen?.text ? `: ${seen.text}` : "") : null,
      verified ? "verified" : null,
    ].filter(p => p !== null);
    return parts.length > 0 ? parts.join(", ") : undefined;
  }

  private renderMain(): void {
    const view = this.view;
    switch (view.kind) {
      case "home": {
        const greeting = h("h1", {});
        const linking = h("div", {});
        append(this.main, h("section", { class: "empty", "data-testid": "home" },
          greeting, linking,
          h("p", {}, "Invite someone with a card, accept a card someone gave you, or start a room."),
          h("p", { class: "muted small" }, "Messages are end-to-end encrypted; the server stores only ciphertext, and only until it is delivered or expires."),
          presenceControl(this)));
        // Live: a browser joining another device's profile gets its name and contacts while this screen shows.
        this.refreshCurrent = () => {
          greeting.textContent = `Hello, ${this.client.data.displayName}`;
          clear(linking);
          const code = this.client.ownDevices.pendingCode;
          if (code) {
            linking.appendChild(h("p", { class: "card-form", "data-testid": "link-code" },
              `Linking: check that your other device shows the code ${code}, and confirm there. Your contacts arrive here once it does.`));
          }
        };
        this.refreshCurrent();
        break;
      }
      case "contact": return renderContact(this, view.id);
      case "room": return renderRoom(this, view.id);
      case "invite": return renderInvite(this, view.id);
      case "newInvite": return renderNewInvite(this);
      case "accept": return renderAccept(this);
      case "newRoom": return renderNewRoom(this);
      case "joinRoom": return renderJoinRoom(this);
      case "safety": return renderSafety(this, view.id);
      case "members": return renderMembers(this, view.id);
      case "address": return renderAddress(this);
      case "directory": return renderDirectory(this);
      case "export": return renderExport(this);
      case "devices": return renderDevices(this);
      case "search": return renderSearch(this);
    }
  }

  async act(action: () => Promise<unknown>, then: () => void): Promise<void> {
    try {
      await action();
      await new Promise(r => setTimeout(r, 50));
    } catch (e) {
      this.toast(messageOf(e));
    }
    then();
  }

  messagesPane(chat: string, messages: () => ChatMessage[]): HTMLElement {
    this.messageList = new MessageList(this.client, chat, messages, text => this.toast(text));
    this.refreshCurrent = () => this.fillMessages();
    this.fillMessages();
    return this.messageList.element;
  }

  fillMessages(): void {
    this.messageList?.fill();
    this.updateUnread();
  }

  private updateUnread(): void {
    const view = this.view;
    if (view.kind === "contact") void this.client.contacts.markRead(view.id);
    if (view.kind === "room") void this.client.rooms.markRead(view.id);
  }

  /** The message box; its draft is kept per conversation, so it survives navigation and refreshes. */
  composer(send: (text: string) => Promise<void>): { form: HTMLElement; setState: (placeholder: string, disabled: boolean) => void } {
    const draftKey = JSON.stringify(this.view);
    const input = h("textarea", { rows: 2, "data-testid": "composer", maxlength: 16000, dir: "auto", value: this.drafts.get(draftKey) ?? "" });
    const button = h("button", { type: "submit", "data-testid": "send" }, "Send");
    const form = h("form", { class: "composer" }, input, button);
    let sending = false;
    const submit = async () => {
      const text = input.value.trim();
      if (!text || sending || input.disabled) return;
      sending = true;
      button.disabled = true;
      try {
        await send(text);
        input.value = "";
        this.drafts.delete(draftKey);
      } catch (e) {
        this.toast(messageOf(e));
      } finally {
        sending = false;
        button.disabled = input.disabled;
        input.focus();
        this.render();
      }
    };
    input.addEventListener("input", () => this.drafts.set(draftKey, input.value));
    form.addEventListener("submit", event => {
      event.preventDefault();
      void submit();
    });
    input.addEventListener("keydown", event => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        void submit();
      }
    });
    const setState = (placeholder: string, disabled: boolean) => {
      input.placeholder = placeholder;
      input.disabled = disabled;
      button.disabled = disabled || sending;
    };
    return { form, setState };
  }

  private toggleTheme(): void {
    const dark = document.documentElement.dataset.theme === "dark" || (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);
    const next = dark ? "light" : "dark";
    localStorage.setItem("purr-theme", next);
    applyTheme(next);
  }

  private async askNotifications(): Promise<void> {
    if (!("Notification" in window)) return this.toast("This browser has no notifications.");
    const permission = await Notification.requestPermission();
    this.toast(permission === "granted" ? "Notifications on: they name who wrote, never what." : "Notifications stay off.");
  }
}


