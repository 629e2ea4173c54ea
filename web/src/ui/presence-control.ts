// The home screen's presence control: off until the person picks a status (PROTOCOL.md 10.9).
import { PresenceStatus } from "../gen/purr/v1/contacts_pb";
import { MAX_PRESENCE_TEXT } from "../e2e/presence";
import { h } from "./dom";
import type { ScreenHost } from "./screen-host";

export function presenceName(status: PresenceStatus | undefined): string {
  switch (status) {
    case PresenceStatus.ONLINE: return "online";
    case PresenceStatus.AWAY: return "away";
    case PresenceStatus.BUSY: return "busy";
    default: return "offline";
  }
}

export function presenceControl(ui: ScreenHost): HTMLElement {
  const presence = ui.client.presence;
  const current = ui.client.data.presence;
  const select = h("select", { "data-testid": "presence-status" },
    h("option", { value: "off" }, "Presence off"),
    h("option", { value: String(PresenceStatus.ONLINE) }, "Online"),
    h("option", { value: String(PresenceStatus.AWAY) }, "Away"),
    h("option", { value: String(PresenceStatus.BUSY) }, "Busy")) as HTMLSelectElement;
  select.value = current?.enabled ? String(current.status) : "off";
  const text = h("input", { "data-testid": "presence-text", maxlength: MAX_PRESENCE_TEXT, placeholder: "status text (optional)" }) as HTMLInputElement;
  text.value = current?.enabled ? current.text : "";
  const apply = h("button", { "data-testid": "set-presence", onClick: () => ui.act(
    () => select.value === "off" ? presence.off() : presence.set(Number(select.value) as PresenceStatus, text.value.trim()),
    () => ui.toast(select.value === "off" ? "Presence is off." : "Status set.")) }, "Set");
  return h("section", { class: "form", "data-testid": "presence-control" },
    h("h2", {}, "Your status"),
    h("p", { class: "muted small" }, "Contacts who turned presence on too see it while this page is open; it is end-to-end encrypted and never stored."),
    h("div", { class: "row" }, select, text, apply));
}
