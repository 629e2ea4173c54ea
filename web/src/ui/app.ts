// The browser client's screens. Views are rebuilt from the profile on every change; every piece of
// user or peer text goes through text nodes or renderMarkdown, never through HTML.
import { RoomRole } from "../gen/purr/v1/rooms_pb";
import type { PurrClient, ClientEvent } from "../app/client";
import type { ChatMessage, RoomRecord } from "../app/model";
import { formatSafetyCode } from "../e2e/safety-code";
import { WrongPassphraseError } from "../app/profile-file";
import { deleteProfileBlob } from "../app/profile-store";
import { h, clear, append } from "./dom";
import { renderMarkdown } from "./markdown";
import { qrCanvas } from "./qr";
import { createProfile, hasProfile, serverInfo, unlockProfile, type ServerInfo } from "./session-start";

type View =
  | { kind: "home" }
  | { kind: "contact"; id: string }
  | { kind: "room"; id: string }
  | { kind: "invite"; id: string }
  | { kind: "accept" }
  | { kind: "newRoom" }
  | { kind: "joinRoom" }
  | { kind: "safety"; id: string }
  | { kind: "members"; id: string };

export async function startApp(root: HTMLElement): Promise<void> {
  applyTheme(localStorage.getItem("purr-theme"));
  const server = await serverInfo();
  if (await hasProfile()) showUnlock(root, server);
  else showCreate(root, server);
}

function applyTheme(theme: string | null): void {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function showCreate(root: HTMLElement, server: ServerInfo): void {
  clear(root);
  const name = h("input", { id: "display-name", "data-testid": "display-name", autocomplete: "nickname", maxlength: 64, required: true });
  const pass = h("input", { id: "passphrase", "data-testid": "passphrase", type: "password", autocomplete: "new-password", required: true });
  const again = h("input", { id: "passphrase-again", "data-testid": "passphrase-again", type: "password", autocomplete: "new-password", required: true });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "create-profile" }, "Create profile");
  const form = h("form", { class: "card-form", "data-testid": "create-screen" },
    h("h1", {}, "Welcome to Purr"),
    h("p", {}, "Your profile stays in this browser, encrypted with your passphrase. No phone number, no email: contacts find you through cards you hand them."),
    h("label", { for: "display-name" }, "Your name (what your contacts see)"), name,
    h("label", { for: "passphrase" }, "Passphrase"), pass,
    h("label", { for: "passphrase-again" }, "Passphrase again"), again,
    error, button,
    h("p", { class: "muted small" }, `Server ${server.address}`));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    if (!name.value.trim()) return void (error.textContent = "Choose a name.");
    if (pass.value.length < 8) return void (error.textContent = "Use a passphrase of at least 8 characters.");
    if (pass.value !== again.value) return void (error.textContent = "The passphrases differ.");
    button.disabled = true;
    button.textContent = "Creating…";
    try {
      const client = await createProfile(server, name.value.trim(), pass.value);
      await runApp(root, client);
    } catch (e) {
      error.textContent = messageOf(e);
      button.disabled = false;
      button.textContent = "Create profile";
    }
  });
  root.appendChild(form);
  name.focus();
}

function showUnlock(root: HTMLElement, server: ServerInfo): void {
  clear(root);
  const pass = h("input", { id: "unlock-passphrase", "data-testid": "unlock-passphrase", type: "password", autocomplete: "current-password" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "unlock" }, "Unlock");
  const form = h("form", { class: "card-form", "data-testid": "unlock-screen" },
    h("h1", {}, "Unlock Purr"),
    h("label", { for: "unlock-passphrase" }, "Passphrase"), pass, error, button,
    h("button", {
      type: "button", class: "danger subtle", "data-testid": "delete-profile",
      onClick: async () => {
        if (confirm("Delete the profile stored in this browser? Contacts, rooms and keys are gone for good.")) {
          await deleteProfileBlob();
          showCreate(root, server);
        }
      },
    }, "Delete this browser's profile"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    button.disabled = true;
    button.textContent = "Unlocking…";
    try {
      await runApp(root, await unlockProfile(server, pass.value));
    } catch (e) {
      error.textContent = e instanceof WrongPassphraseError ? "Wrong passphrase." : messageOf(e);
      button.disabled = false;
      button.textContent = "Unlock";
    }
  });
  root.appendChild(form);
  pass.focus();
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function runApp(root: HTMLElement, client: PurrClient): Promise<void> {
  const ui = new AppView(root, client);
  ui.mount();
  client.on(event => ui.onEvent(event));
  try {
    await client.start();
  } catch (e) {
    ui.toast(`Offline: ${messageOf(e)}. Retrying…`);
  }
  ui.render();
}

class AppView {
  private view: View = { kind: "home" };
  private readonly sidebar = h("nav", { class: "sidebar", "data-testid": "sidebar", "aria-label": "Conversations" });
  private readonly main = h("main", { class: "pane" });
  private readonly status = h("span", { class: "status", "data-testid": "status" });
  private readonly toastBox = h("div", { class: "toast", role: "status", "aria-live": "polite" });
  private messageList: HTMLElement | null = null;
  /** Refreshes the live part of the current view (messages, members) without rebuilding its inputs. */
  private refreshCurrent: (() => void) | null = null;
  private readonly drafts = new Map<string, string>();
  private renderedView = "";

  constructor(private readonly root: HTMLElement, private readonly client: PurrClient) {}

  mount(): void {
    clear(this.root);
    const themeButton = h("button", { class: "subtle", "data-testid": "theme", title: "Light or dark", onClick: () => this.toggleTheme() }, "◐");
    const notify = h("button", { class: "subtle", "data-testid": "notifications", onClick: () => this.askNotifications(), title: "Desktop notifications" }, "Notify me");
    append(this.root,
      h("header", { class: "topbar" },
        h("button", { class: "subtle back", "data-testid": "back", onClick: () => this.go({ kind: "home" }), "aria-label": "Back to conversations" }, "‹"),
        h("strong", {}, "Purr"), this.status, h("span", { class: "spacer" }), notify, themeButton),
      h("div", { class: "layout" }, this.sidebar, this.main),
      this.toastBox);
    this.render();
  }

  onEvent(event: ClientEvent): void {
    if (event.kind === "problem") this.toast(event.text);
    if (event.kind === "message" && document.hidden && "Notification" in window && Notification.permission === "granted") {
      // Only who wrote, never what: notifications leave the page for the operating system.
      new Notification("Purr", { body: event.title, tag: event.id, silent: false });
    }
    this.render();
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
        h("button", { "data-testid": "invite", onClick: () => this.newInvite() }, "Invite"),
        h("button", { "data-testid": "accept", onClick: () => this.go({ kind: "accept" }) }, "Accept card"),
        h("button", { "data-testid": "new-room", onClick: () => this.go({ kind: "newRoom" }) }, "New room"),
        h("button", { "data-testid": "join-room", onClick: () => this.go({ kind: "joinRoom" }) }, "Join room")),
      h("h2", {}, "Contacts"),
      h("ul", { class: "list" },
        ...data.contacts.map(c => item(c.displayName, c.unread, { kind: "contact", id: c.id }, "contact-item", c.established ? (c.verified ? "verified" : undefined) : "waiting")),
        ...data.invites.map(i => item(i.label || "invite", 0, { kind: "invite", id: i.id }, "invite-item", "invite not yet accepted"))),
      h("h2", {}, "Rooms"),
      h("ul", { class: "list" }, ...data.rooms.map(r => item(this.client.rooms.roomTitle(r), r.unread, { kind: "room", id: r.id }, "room-item", r.ended ? "ended" : undefined))));
  }

  private renderMain(): void {
    const view = this.view;
    switch (view.kind) {
      case "home":
        append(this.main, h("section", { class: "empty", "data-testid": "home" },
          h("h1", {}, `Hello, ${this.client.data.displayName}`),
          h("p", {}, "Invite someone with a card, accept a card someone gave you, or start a room."),
          h("p", { class: "muted small" }, "Messages are end-to-end encrypted; the server stores only ciphertext, and only until it is delivered or expires.")));
        break;
      case "contact": return this.renderContact(view.id);
      case "room": return this.renderRoom(view.id);
      case "invite": return this.renderInvite(view.id);
      case "accept": return this.renderAccept();
      case "newRoom": return this.renderNewRoom();
      case "joinRoom": return this.renderJoinRoom();
      case "safety": return this.renderSafety(view.id);
      case "members": return this.renderMembers(view.id);
    }
  }

  private async newInvite(): Promise<void> {
    const label = prompt("Who is this invite for? (only you see this)", "") ?? "";
    try {
      const invite = await this.client.contacts.invite(label.trim() || "new contact");
      this.go({ kind: "invite", id: invite.id });
    } catch (e) {
      this.toast(messageOf(e));
    }
  }

  private renderInvite(id: string): void {
    const invite = this.client.data.invites.find(i => i.id === id);
    if (!invite) {
      const contact = this.client.contacts.find(id);
      return contact ? this.go({ kind: "contact", id }) : this.go({ kind: "home" });
    }
    const text = h("textarea", { readonly: true, rows: 4, "data-testid": "card-link", class: "mono" });
    text.value = invite.cardLink;
    append(this.main, h("section", { class: "form", "data-testid": "invite-screen" },
      h("h1", {}, `Invite for ${invite.label}`),
      h("p", {}, "Give this card to one person, in person or over a channel you trust. It works once and expires on ",
        new Date(invite.expiresAt * 1000).toLocaleDateString(), "."),
      text,
      h("div", { class: "row" },
        h("button", { "data-testid": "copy-card", onClick: () => copy(invite.cardLink, this) }, "Copy link"),
        h("button", { class: "subtle danger", onClick: async () => { await this.client.contacts.cancelInvite(id); this.go({ kind: "home" }); } }, "Cancel invite")),
      qrCanvas(invite.cardLink)));
  }

  private renderAccept(): void {
    const input = h("textarea", { rows: 4, "data-testid": "card-input", placeholder: "purr:card/…", class: "mono" });
    const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
    const button = h("button", { type: "submit", "data-testid": "accept-card" }, "Accept");
    const form = h("form", { class: "form" }, h("h1", {}, "Accept a card"), h("p", {}, "Paste the card link someone gave you."), input, error, button);
    form.addEventListener("submit", async event => {
      event.preventDefault();
      button.disabled = true;
      try {
        const contact = await this.client.contacts.accept(input.value);
        this.go({ kind: "contact", id: contact.id });
      } catch (e) {
        error.textContent = messageOf(e);
        button.disabled = false;
      }
    });
    append(this.main, form);
  }

  private renderContact(id: string): void {
    const contact = this.client.contacts.find(id);
    if (!contact) return this.go({ kind: "home" });
    void this.client.contacts.markRead(id);
    const badge = h("span", { class: "verified", title: "You compared safety codes" });
    const title = h("h1", { "data-testid": "conversation-title" });
    const composer = this.composer(text => this.client.contacts.sendText(id, text));
    append(this.main,
      h("header", { class: "conversation-head" },
        title, badge,
        h("span", { class: "spacer" }),
        h("button", { class: "subtle", "data-testid": "safety-code", onClick: () => this.go({ kind: "safety", id }) }, "Safety code"),
        h("button", { class: "subtle danger", "data-testid": "remove-contact", onClick: async () => {
          if (confirm(`Remove ${contact.displayName}? Both sides forget the conversation's keys.`)) {
            await this.client.contacts.remove(id);
            this.go({ kind: "home" });
          }
        } }, "Remove")),
      this.messagesPane(() => this.client.contacts.find(id)?.messages ?? []),
      composer.form);
    // The head and the composer follow the contact's state (answered, verified, removed) without a rebuild, so a draft survives.
    const refresh = () => {
      const current = this.client.contacts.find(id);
      if (!current) return this.go({ kind: "home" });
      title.textContent = current.displayName;
      badge.textContent = current.verified ? "✓ verified" : "";
      composer.setState(
        !current.outbox ? "This contact can no longer be reached." : current.established ? "Message (Markdown: *emphasis*, `code`, [links](https://…), - lists)" : "Waiting for the contact to answer… (you can already write)",
        !current.outbox);
      this.fillMessages();
    };
    this.refreshCurrent = refresh;
    refresh();
  }

  private renderSafety(id: string): void {
    const contact = this.client.contacts.find(id);
    if (!contact) return this.go({ kind: "home" });
    const code = this.client.contacts.safetyCodeFor(contact);
    append(this.main, h("section", { class: "form", "data-testid": "safety-screen" },
      h("h1", {}, `Safety code with ${contact.displayName}`),
      h("p", {}, "Compare these numbers with your contact in person or on a call. If they match, nobody is in between."),
      h("p", { class: "safety-code mono", "data-testid": "safety-digits" }, formatSafetyCode(code)),
      qrCanvas(code),
      h("div", { class: "row" },
        h("button", { "data-testid": "mark-verified", onClick: async () => { await this.client.contacts.markVerified(id, !contact.verified); this.go({ kind: "contact", id }); } },
          contact.verified ? "Mark as not verified" : "They match: mark verified"),
        h("button", { class: "subtle", onClick: () => this.go({ kind: "contact", id }) }, "Back"))));
  }

  private renderNewRoom(): void {
    const name = h("input", { "data-testid": "room-name", value: this.client.data.displayName, maxlength: 64 });
    const persistent = h("input", { type: "checkbox", id: "persistent", "data-testid": "room-persistent" });
    const moderated = h("input", { type: "checkbox", id: "moderated", "data-testid": "room-moderated" });
    const error = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "form" },
      h("h1", {}, "New room"),
      h("label", {}, "Your name in this room"), name,
      h("label", { class: "check" }, persistent, " Persistent (messages wait for members who are offline)"),
      h("label", { class: "check" }, moderated, " Moderated (only members given voice may speak)"),
      error, h("button", { type: "submit", "data-testid": "create-room" }, "Create room"));
    form.addEventListener("submit", async event => {
      event.preventDefault();
      try {
        const room = await this.client.rooms.create(name.value.trim() || this.client.data.displayName, persistent.checked, moderated.checked);
        this.go({ kind: "room", id: room.id });
      } catch (e) {
        error.textContent = messageOf(e);
      }
    });
    append(this.main, form);
  }

  private renderJoinRoom(): void {
    const link = h("textarea", { rows: 3, "data-testid": "room-link-input", placeholder: "purr:room/…#…", class: "mono" });
    const name = h("input", { "data-testid": "room-join-name", value: this.client.data.displayName, maxlength: 64 });
    const password = h("input", { type: "password", "data-testid": "room-password", placeholder: "only if the room has one" });
    const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
    const form = h("form", { class: "form" }, h("h1", {}, "Join a room"), h("label", {}, "Room link"), link,
      h("label", {}, "Your name in this room"), name, h("label", {}, "Password"), password, error,
      h("button", { type: "submit", "data-testid": "join-room-submit" }, "Join"));
    form.addEventListener("submit", async event => {
      event.preventDefault();
      try {
        const room = await this.client.rooms.join(link.value, name.value.trim() || this.client.data.displayName, password.value);
        this.go({ kind: "room", id: room.id });
      } catch (e) {
        error.textContent = messageOf(e);
      }
    });
    append(this.main, form);
  }

  private renderRoom(id: string): void {
    const room = this.client.rooms.find(id);
    if (!room) return this.go({ kind: "home" });
    void this.client.rooms.markRead(id);
    const composer = this.composer(text => this.roomInput(room, text));
    const roomTitle = h("h1", { "data-testid": "conversation-title" });
    const forget = h("button", { class: "subtle danger", "data-testid": "forget-room", hidden: true, onClick: async () => {
      await this.client.rooms.forget(id);
      this.go({ kind: "home" });
    } }, "Remove from list");
    append(this.main,
      h("header", { class: "conversation-head" },
        roomTitle,
        h("span", { class: "spacer" }),
        h("button", { class: "subtle", "data-testid": "copy-room-link", onClick: () => copy(room.link, this) }, "Copy invite link"),
        h("button", { class: "subtle", "data-testid": "members", onClick: () => this.go({ kind: "members", id }) }, "Members"),
        forget),
      h("p", { class: "muted small" }, "Commands: /members, /topic text, /purr name text (whisper), /kick name, /exit, /stop"),
      this.messagesPane(() => this.client.rooms.find(id)?.messages ?? []),
      composer.form);
    const refresh = () => {
      const current = this.client.rooms.find(id);
      if (!current) return this.go({ kind: "home" });
      roomTitle.textContent = this.client.rooms.roomTitle(current);
      forget.hidden = !current.ended;
      composer.setState(current.ended ? "This room has ended." : "Message the room", current.ended);
      this.fillMessages();
    };
    this.refreshCurrent = refresh;
    refresh();
  }

  private async roomInput(room: RoomRecord, text: string): Promise<void> {
    const rooms = this.client.rooms;
    const command = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text);
    if (!command) return rooms.sendText(room.id, text);
    const [, name, rest = ""] = command;
    switch (name) {
      case "exit": await rooms.exit(room.id, rest || "left the room"); return;
      case "stop": await rooms.stopRoom(room.id); return;
      case "topic": await rooms.setTopic(room.id, rest); return;
      case "members": this.go({ kind: "members", id: room.id }); return;
      case "kick":
      case "purr": {
        await rooms.refreshMembers(room.id);
        const target = rooms.resolveMember(room.id, rest);
        if (!target) throw new Error(`no single member is called that; /members lists them`);
        if (name === "kick") await rooms.kick(room.id, target.key);
        else if (!target.rest) throw new Error("usage: /purr NAME TEXT");
        else await rooms.whisper(room.id, target.key, target.rest);
        return;
      }
      default:
        throw new Error(`unknown command /${name}`);
    }
  }

  private renderMembers(id: string): void {
    const room = this.client.rooms.find(id);
    if (!room) return this.go({ kind: "home" });
    const list = h("ul", { class: "members", "data-testid": "member-list" });
    const settings = h("div", { class: "row" });
    const fill = () => {
      clear(list);
      clear(settings);
      const rooms = this.client.rooms;
      const myRole = rooms.myRole(id);
      const flat = rooms.roomSettings(id)?.flat ?? false;
      const canModerate = flat || myRole === RoomRole.OWNER || myRole === RoomRole.MODERATOR;
      for (const m of rooms.memberViews(id)) {
        const role = m.role === RoomRole.OWNER ? "owner" : m.role === RoomRole.MODERATOR ? "moderator" : "member";
        append(list, h("li", { "data-testid": "member" },
          h("span", { class: "name" }, m.name, m.me ? " (you)" : ""),
          h("span", { class: "muted small" }, ` ${role}${m.voice ? "" : ", no voice"}`),
          !m.me && canModerate && m.role !== RoomRole.OWNER ? h("button", { class: "subtle danger", "data-testid": "kick", onClick: () => this.act(() => rooms.kick(id, m.key), fill) }, "Kick") : null,
          !m.me && myRole === RoomRole.OWNER && m.role === RoomRole.MEMBER ? h("button", { class: "subtle", onClick: () => this.act(() => rooms.setRole(id, m.key, RoomRole.MODERATOR, true), fill) }, "Make moderator") : null,
          !m.me && canModerate && m.role === RoomRole.MEMBER ? h("button", { class: "subtle", onClick: () => this.act(() => rooms.setRole(id, m.key, m.role, !m.voice), fill) }, m.voice ? "Take voice" : "Give voice") : null));
      }
      if (canModerate && !room.ended) {
        const locked = rooms.roomSettings(id)?.locked ?? false;
        append(settings,
          h("button", { "data-testid": "lock", onClick: () => this.act(() => rooms.setLocked(id, !locked), fill) }, locked ? "Unlock room" : "Lock room"),
          h("button", { class: "danger", "data-testid": "stop-room", onClick: () => this.act(() => rooms.stopRoom(id), () => this.go({ kind: "room", id })) }, "End room for everyone"));
      }
    };
    const linkText = h("textarea", { readonly: true, rows: 3, class: "mono", "data-testid": "room-link" });
    linkText.value = room.link;
    append(this.main, h("section", { class: "form" }, h("h1", {}, "Members"), list, settings,
      h("h2", {}, "Invite link"),
      h("p", { class: "muted small" }, "Whoever holds this link can join. The part after # is the room key: it never goes to the server."),
      linkText, room.ended ? null : qrCanvas(room.link),
      h("button", { class: "subtle", onClick: () => this.go({ kind: "room", id }) }, "Back to the room")));
    fill();
    this.refreshCurrent = fill;
    if (!room.ended) void this.client.rooms.refreshMembers(id).then(fill, e => this.toast(messageOf(e)));
  }

  private async act(action: () => Promise<unknown>, then: () => void): Promise<void> {
    try {
      await action();
      await new Promise(r => setTimeout(r, 50));
    } catch (e) {
      this.toast(messageOf(e));
    }
    then();
  }

  private messagesPane(messages: () => ChatMessage[]): HTMLElement {
    this.messageList = h("ol", { class: "messages", "data-testid": "messages", "aria-live": "polite" });
    this.currentMessages = messages;
    this.refreshCurrent = () => this.fillMessages();
    this.fillMessages();
    return this.messageList;
  }

  private currentMessages: () => ChatMessage[] = () => [];

  private fillMessages(): void {
    const list = this.messageList;
    if (!list) return;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    clear(list);
    for (const m of this.currentMessages()) {
      const cls = m.notice ? "notice" : m.mine ? "mine" : "theirs";
      const body = h("div", { class: "body", dir: "auto" });
      if (m.notice) body.textContent = m.text;
      else body.appendChild(renderMarkdown(m.text, url => this.confirmLink(url)));
      append(list, h("li", { class: `message ${cls}${m.whisper ? " whisper" : ""}`, "data-testid": "message" },
        !m.notice && (!m.mine || m.whisper) && m.sender ? h("span", { class: "sender" }, m.sender) : null,
        m.whisper ? h("span", { class: "tag" }, "whisper") : null,
        body,
        h("span", { class: "meta" }, new Date(m.sentAt * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
          m.mine && m.delivered ? h("span", { class: "delivered", "data-testid": "delivered", title: "Delivered" }, " ✓✓") : null)));
    }
    if (atBottom || this.renderedView !== "") list.scrollTop = list.scrollHeight;
    this.updateUnread();
  }

  private updateUnread(): void {
    const view = this.view;
    if (view.kind === "contact") void this.client.contacts.markRead(view.id);
    if (view.kind === "room") void this.client.rooms.markRead(view.id);
  }

  /** The message box; its draft is kept per conversation, so it survives navigation and refreshes. */
  private composer(send: (text: string) => Promise<void>): { form: HTMLElement; setState: (placeholder: string, disabled: boolean) => void } {
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

  /** A link opens only after the user has seen where it really goes. */
  private confirmLink(url: string): void {
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

async function copy(text: string, view: AppView): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    view.toast("Copied.");
  } catch {
    view.toast("Copy it by hand: select the text.");
  }
}

