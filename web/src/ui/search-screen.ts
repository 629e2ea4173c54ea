// Searching every chat's messages kept in this browser, and deleting all of them (PROTOCOL.md 9, "Browser history").
import { h, clear, append } from "./dom";
import type { ScreenHost, View } from "./screen-host";

const MAX_RESULTS = 200;

export function renderSearch(ui: ScreenHost): void {
  const input = h("input", { type: "search", "data-testid": "search-input", placeholder: "Words to find in your messages", "aria-label": "Search messages" });
  const results = h("ol", { class: "list search-results", "data-testid": "search-results" });
  const status = h("p", { class: "muted small", "data-testid": "search-status" });
  const form = h("form", { class: "row" }, input, h("button", { type: "submit", "data-testid": "search-submit" }, "Search"));
  form.addEventListener("submit", event => {
    event.preventDefault();
    void search();
  });
  const search = async () => {
    const text = input.value.trim();
    clear(results);
    if (!text) return void (status.textContent = "");
    const found = await ui.client.searchHistory(text);
    status.textContent = found.length === 0 ? "Nothing found." : found.length > MAX_RESULTS ? `${found.length} messages; the newest ${MAX_RESULTS}:` : `${found.length} message(s):`;
    for (const { chat, message } of found.slice(0, MAX_RESULTS)) {
      const target = chatView(ui, chat);
      append(results, h("li", {}, h("button", { class: "item", "data-testid": "search-result", disabled: !target, onClick: () => target && ui.go(target) },
        h("span", { class: "name" }, `${chatTitle(ui, chat)} · ${message.mine ? "you" : message.sender ?? ""}`),
        h("span", { class: "muted small" }, new Date(message.sentAt * 1000).toLocaleString()),
        h("span", { class: "body", dir: "auto" }, message.text))));
    }
  };

  const danger = h("div", { class: "row" });
  const offerDelete = () => {
    clear(danger);
    append(danger, h("button", { class: "subtle danger", "data-testid": "delete-all-history", onClick: () => {
      clear(danger);
      append(danger,
        h("span", { class: "small" }, "Delete every chat's messages on this device for good? "),
        h("button", { class: "danger", "data-testid": "confirm-delete-all-history", onClick: () => ui.act(() => ui.client.deleteAllHistory(), () => {
          ui.toast("All history on this device is deleted.");
          clear(results);
          status.textContent = "";
          offerDelete();
        }) }, "Delete all"),
        h("button", { class: "subtle", onClick: offerDelete }, "Keep"));
    } }, "Delete all history on this device"));
  };
  offerDelete();
  append(ui.main, h("section", { class: "form", "data-testid": "search-screen" },
    h("h1", {}, "Search messages"),
    h("p", { class: "muted small" }, "Every chat's messages are kept in this browser, encrypted with your passphrase. Searching happens here; nothing goes to the server."),
    form, status, results, danger));
  input.focus();
}

function chatView(ui: ScreenHost, chat: string): View | null {
  const id = chat.slice(2);
  if (chat.startsWith("c:")) return ui.client.contacts.find(id) ? { kind: "contact", id } : null;
  return ui.client.rooms.find(id) ? { kind: "room", id } : null;
}

function chatTitle(ui: ScreenHost, chat: string): string {
  const id = chat.slice(2);
  if (chat.startsWith("c:")) return ui.client.contacts.find(id)?.displayName ?? "a former contact";
  const room = ui.client.rooms.find(id);
  return room ? ui.client.rooms.roomTitle(room) : "a former room";
}
