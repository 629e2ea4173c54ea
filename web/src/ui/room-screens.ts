// The room screens: new room, join by link, a room chat with its slash commands, the member list.
import { RoomRole } from "../gen/purr/v1/rooms_pb";
import type { RoomRecord } from "../app/model";
import { h, append, clear } from "./dom";
import { qrCanvas } from "./qr";
import { disappearControl } from "./disappear-control";
import { copy, messageOf, type ScreenHost } from "./screen-host";

export function renderNewRoom(ui: ScreenHost): void {
  const title = h("input", { "data-testid": "room-title", maxlength: 64, placeholder: "e.g. Garden club" });
  const name = h("input", { "data-testid": "room-name", value: ui.client.data.displayName, maxlength: 64 });
  const persistent = h("input", { type: "checkbox", id: "persistent", "data-testid": "room-persistent" });
  const moderated = h("input", { type: "checkbox", id: "moderated", "data-testid": "room-moderated" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "form" },
    h("h1", {}, "New room"),
    h("label", {}, "Room name (everyone with the link sees it)"), title,
    h("label", {}, "Your name in this room"), name,
    h("label", { class: "check" }, persistent, " Persistent (messages wait for members who are offline)"),
    h("label", { class: "check" }, moderated, " Moderated (only members given voice may speak)"),
    error, h("button", { type: "submit", "data-testid": "create-room" }, "Create room"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const room = await ui.client.rooms.create(name.value.trim() || ui.client.data.displayName, persistent.checked, moderated.checked, title.value.trim());
      void ui.client.ownDevices.shareRoom(room).catch(() => undefined);
      ui.go({ kind: "room", id: room.id });
    } catch (e) {
      error.textContent = messageOf(e);
    }
  });
  append(ui.main, form);
}

export function renderJoinRoom(ui: ScreenHost): void {
  const link = h("textarea", { rows: 3, "data-testid": "room-link-input", placeholder: "purr:room/…#…", class: "mono" });
  const name = h("input", { "data-testid": "room-join-name", value: ui.client.data.displayName, maxlength: 64 });
  const password = h("input", { type: "password", "data-testid": "room-password", placeholder: "only if the room has one" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const form = h("form", { class: "form" }, h("h1", {}, "Join a room"), h("label", {}, "Room link"), link,
    h("label", {}, "Your name in this room"), name, h("label", {}, "Password"), password, error,
    h("button", { type: "submit", "data-testid": "join-room-submit" }, "Join"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const room = await ui.client.rooms.join(link.value, name.value.trim() || ui.client.data.displayName, password.value);
      void ui.client.ownDevices.shareRoom(room).catch(() => undefined);
      ui.go({ kind: "room", id: room.id });
    } catch (e) {
      error.textContent = messageOf(e);
    }
  });
  append(ui.main, form);
}

export function renderRoom(ui: ScreenHost, id: string): void {
  const room = ui.client.rooms.find(id);
  if (!room) return ui.go({ kind: "home" });
  void ui.client.rooms.markRead(id);
  const composer = ui.composer(text => roomInput(ui, room, text));
  const roomTitle = h("h1", { "data-testid": "conversation-title" });
  const forget = h("button", { class: "subtle danger", "data-testid": "forget-room", hidden: true, onClick: async () => {
    await ui.client.rooms.forget(id);
    ui.go({ kind: "home" });
  } }, "Remove from list");
  const disappear = disappearControl(ui, seconds => ui.client.rooms.setDisappearing(id, seconds));
  append(ui.main,
    h("header", { class: "conversation-head" },
      roomTitle,
      h("span", { class: "spacer" }),
      disappear.element,
      h("button", { class: "subtle", "data-testid": "copy-room-link", onClick: () => copy(room.link, ui) }, "Copy invite link"),
      h("button", { class: "subtle", "data-testid": "members", onClick: () => ui.go({ kind: "members", id }) }, "Members"),
      forget),
    h("p", { class: "muted small" }, "Commands: /members, /topic text, /purr name text (whisper), /kick name, /ban name, /exit, /stop"),
    ui.messagesPane(`r:${id}`, () => ui.client.rooms.find(id)?.messages ?? []),
    composer.form);
  const refresh = () => {
    const current = ui.client.rooms.find(id);
    if (!current) return ui.go({ kind: "home" });
    roomTitle.textContent = ui.client.rooms.roomTitle(current);
    forget.hidden = !current.ended;
    disappear.show(current.disappearAfter ?? 0);
    disappear.element.disabled = current.ended;
    composer.setState(current.ended ? "This room has ended." : "Message the room", current.ended);
    ui.fillMessages();
  };
  ui.refreshCurrent = refresh;
  refresh();
}

export async function roomInput(ui: ScreenHost, room: RoomRecord, text: string): Promise<void> {
  const rooms = ui.client.rooms;
  const command = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!command) return rooms.sendText(room.id, text);
  const [, name, rest = ""] = command;
  switch (name) {
    case "exit": await rooms.exit(room.id, rest || "left the room"); return;
    case "stop": await rooms.stopRoom(room.id); return;
    case "topic": await rooms.setTopic(room.id, rest); return;
    case "members": ui.go({ kind: "members", id: room.id }); return;
    case "kick":
    case "ban":
    case "purr": {
      await rooms.refreshMembers(room.id);
      const target = rooms.resolveMember(room.id, rest);
      if (!target) throw new Error(`no single member is called that; /members lists them`);
      if (name === "kick" || name === "ban") await rooms.kick(room.id, target.key, name === "ban");
      else if (!target.rest) throw new Error("usage: /purr NAME TEXT");
      else await rooms.whisper(room.id, target.key, target.rest);
      return;
    }
    default:
      throw new Error(`unknown command /${name}`);
  }
}

export function renderMembers(ui: ScreenHost, id: string): void {
  const room = ui.client.rooms.find(id);
  if (!room) return ui.go({ kind: "home" });
  const list = h("ul", { class: "members", "data-testid": "member-list" });
  const settings = h("div", { class: "row" });
  const fill = () => {
    clear(list);
    clear(settings);
    const rooms = ui.client.rooms;
    const myRole = rooms.myRole(id);
    const flat = rooms.roomSettings(id)?.flat ?? false;
    const canModerate = flat || myRole === RoomRole.OWNER || myRole === RoomRole.MODERATOR;
    for (const m of rooms.memberViews(id)) {
      const role = m.role === RoomRole.OWNER ? "owner" : m.role === RoomRole.MODERATOR ? "moderator" : "member";
      append(list, h("li", { "data-testid": "member" },
        h("span", { class: "name" }, m.name, m.me ? " (you)" : ""),
        h("span", { class: "muted small" }, ` ${role}${m.voice ? "" : ", no voice"}`),
        !m.me && m.connected ? h("span", { class: "tag", "data-testid": "member-here" }, "here") : null,
        !m.me && canModerate && m.role !== RoomRole.OWNER ? h("button", { class: "subtle danger", "data-testid": "kick", onClick: () => ui.act(() => rooms.kick(id, m.key), fill) }, "Kick") : null,
        !m.me && canModerate && m.role !== RoomRole.OWNER ? h("button", { class: "subtle danger", "data-testid": "ban", title: "Kick, and refuse this person's profile from now on", onClick: () => ui.act(() => rooms.kick(id, m.key, true), fill) }, "Ban") : null,
        !m.me && myRole === RoomRole.OWNER && m.role === RoomRole.MEMBER ? h("button", { class: "subtle", onClick: () => ui.act(() => rooms.setRole(id, m.key, RoomRole.MODERATOR, true), fill) }, "Make moderator") : null,
        !m.me && canModerate && m.role === RoomRole.MEMBER ? h("button", { class: "subtle", onClick: () => ui.act(() => rooms.setRole(id, m.key, m.role, !m.voice), fill) }, m.voice ? "Take voice" : "Give voice") : null));
    }
    // A kick changes the link: show the current one.
    linkText.value = room.link;
    clear(qrBox);
    if (!room.ended) append(qrBox, qrCanvas(room.link));
    if (canModerate && !room.ended) {
      const locked = rooms.roomSettings(id)?.locked ?? false;
      const bans = rooms.banCount(id);
      if (bans > 0) {
        append(settings,
          h("span", { class: "muted small", "data-testid": "ban-count" }, `${bans} banned (the server cannot say who)`),
          h("button", { class: "subtle", "data-testid": "clear-bans", onClick: () => ui.act(() => rooms.clearBans(id), fill) }, "Clear bans"));
      }
      append(settings,
        h("button", { "data-testid": "lock", onClick: () => ui.act(() => rooms.setLocked(id, !locked), fill) }, locked ? "Unlock room" : "Lock room"),
        h("button", { class: "danger", "data-testid": "stop-room", onClick: () => ui.act(() => rooms.stopRoom(id), () => ui.go({ kind: "room", id })) }, "End room for everyone"));
    }
  };
  const linkText = h("textarea", { readonly: true, rows: 3, class: "mono", "data-testid": "room-link" });
  const qrBox = h("div", {});
  append(ui.main, h("section", { class: "form" }, h("h1", {}, "Members"), list, settings,
    h("h2", {}, "Invite link"),
    h("p", { class: "muted small" }, "Whoever holds this link can join. The part after # is the room key: it never goes to the server."),
    linkText, qrBox,
    h("button", { class: "subtle", onClick: () => ui.go({ kind: "room", id }) }, "Back to the room")));
  fill();
  ui.refreshCurrent = fill;
  if (!room.ended) void ui.client.rooms.refreshMembers(id).then(fill, e => ui.toast(messageOf(e)));
}
