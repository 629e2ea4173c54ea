// "My address": the profile's contact address (link and QR, auto-accept, replace, revoke) and the requests that came
// through it, each to accept or reject (PROTOCOL.md 10.8).
import { h, append, clear } from "./dom";
import { qrCanvas } from "./qr";
import { copy, messageOf, type ScreenHost } from "./screen-host";
import { longDate } from "./contact-screens";

export function renderAddress(ui: ScreenHost): void {
  const contacts = ui.client.contacts;
  const addressPart = h("div", {});
  const requestList = h("ul", { class: "members", "data-testid": "request-list" });
  // The address part holds inputs: it is rebuilt after the person's own actions only, never under their typing.
  const fill = () => {
    clear(addressPart);
    const address = ui.client.data.address;
    if (!address) {
      const auto = h("input", { type: "checkbox", "data-testid": "new-address-auto-accept" });
      append(addressPart,
        h("p", {}, "A contact address is a link that works many times: put it on a website or a poster. Everyone who asks gets their own keys, as with a card; you accept or reject each request."),
        h("label", { class: "row" }, auto, " Accept every request at once"),
        h("button", { "data-testid": "create-address", onClick: () => ui.act(() => contacts.createAddress((auto as HTMLInputElement).checked), fill) }, "Create my address"));
    } else {
      const text = h("textarea", { readonly: true, rows: 4, "data-testid": "address-link", class: "mono" });
      text.value = address.link;
      const auto = h("input", { type: "checkbox", "data-testid": "auto-accept" }) as HTMLInputElement;
      auto.checked = address.autoAccept;
      auto.addEventListener("change", () => void ui.act(() => contacts.setAutoAccept(auto.checked), fill));
      append(addressPart,
        h("p", {}, "Anyone holding this link can ask to become your contact."),
        text,
        h("div", { class: "row" },
          h("button", { "data-testid": "copy-address", onClick: () => copy(address.link, ui) }, "Copy link"),
          h("button", { class: "subtle", "data-testid": "replace-address", onClick: () => ui.act(() => contacts.createAddress(address.autoAccept), fill) }, "Replace"),
          h("button", { class: "subtle danger", "data-testid": "revoke-address", onClick: () => ui.act(() => contacts.revokeAddress(), fill) }, "Revoke"),
          h("button", { class: "subtle", "data-testid": "unblock-all", onClick: () => ui.act(() => contacts.unblockAll(), fill) }, "Unblock everyone")),
        h("label", { class: "row" }, auto, " Accept every request at once"),
        qrCanvas(address.link));
      append(addressPart, handlePart(ui, fill));
    }
    fillRequests();
  };
  const fillRequests = () => {
    clear(requestList);
    const requests = ui.client.data.requests ?? [];
    if (requests.length === 0) append(requestList, h("li", { class: "muted small" }, "No requests waiting."));
    for (const request of requests) {
      append(requestList, h("li", { "data-testid": "request" },
        h("span", { class: "name" }, request.displayName),
        h("span", { class: "muted small" }, ` ${longDate(request.receivedAt)}`),
        request.message ? h("span", { class: "small", "data-testid": "request-message" }, ` “${request.message}”`) : null,
        h("button", { "data-testid": "accept-request", onClick: () => ui.act(() => contacts.acceptRequest(request.id), fill) }, "Accept"),
        h("button", { class: "subtle danger", "data-testid": "reject-request", onClick: () => ui.act(() => contacts.rejectRequest(request.id), fill) }, "Reject"),
        h("button", { class: "subtle danger", "data-testid": "block-request", title: "Reject, and have the server drop their further requests", onClick: () => ui.act(() => contacts.rejectRequest(request.id, true), fill) }, "Block")));
    }
  };
  append(ui.main, h("section", { class: "form", "data-testid": "address-screen" },
    h("h1", {}, "My contact address"), addressPart, h("h2", {}, "Requests"), requestList));
  fill();
  ui.refreshCurrent = fillRequests;
}

/** The handle (a public name for the address) and its directory listing. */
function handlePart(ui: ScreenHost, fill: () => void): HTMLElement {
  const handles = ui.client.handles;
  const part = h("section", { "data-testid": "handle-part" }, h("h2", {}, "Handle"));
  const handle = handles.handle;
  if (!handle) {
    const name = h("input", { "data-testid": "handle-name", maxlength: 32, placeholder: "e.g. alice (3 to 32 of a-z, 0-9, . _ -)" }) as HTMLInputElement;
    append(part,
      h("p", { class: "muted small" }, "A handle is public: anyone can find your address by it."),
      h("div", { class: "row" }, name,
        h("button", { "data-testid": "register-handle", onClick: () => ui.act(() => handles.register(name.value.trim()), fill) }, "Register")));
    return part;
  }
  const description = h("input", { "data-testid": "listing-description", maxlength: 140, placeholder: "a short description (public)" }) as HTMLInputElement;
  const hours = h("input", { "data-testid": "listing-free-hours", type: "number", min: "0", max: "24", value: "0" }) as HTMLInputElement;
  append(part,
    h("p", {}, "Your handle: ", h("strong", { "data-testid": "my-handle" }, handle)),
    h("div", { class: "row" },
      h("button", { "data-testid": "copy-handle", onClick: () => copy(handle, ui) }, "Copy"),
      h("button", { class: "subtle danger", "data-testid": "release-handle", onClick: () => ui.act(() => handles.release(), fill) }, "Release")),
    h("h2", {}, "Directory"),
    h("p", { class: "muted small" }, "List your handle in this server's directory so people can find you; unlisting is immediate."),
    description,
    h("label", { class: "row" }, "Free for chat for ", hours, " hours"),
    h("div", { class: "row" },
      h("button", { "data-testid": "list-me", onClick: () => ui.act(() => handles.setListing(true, description.value.trim(), Number(hours.value) || 0), () => ui.toast("Listed.")) }, "List me"),
      h("button", { class: "subtle", "data-testid": "unlist-me", onClick: () => ui.act(() => handles.setListing(false), () => ui.toast("Unlisted.")) }, "Unlist")));
  return part;
}

/** The server's directory: search listed handles and ask for contact through one. */
export function renderDirectory(ui: ScreenHost): void {
  const query = h("input", { "data-testid": "directory-query", maxlength: 32, placeholder: "a name or a word" }) as HTMLInputElement;
  const freeOnly = h("input", { type: "checkbox", "data-testid": "directory-free" }) as HTMLInputElement;
  const results = h("ul", { class: "members", "data-testid": "directory-results" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const server = ui.client.handles.handle?.split("@")[1];
  const search = async () => {
    error.textContent = "";
    clear(results);
    try {
      const entries = await ui.client.handles.search(query.value.trim().toLowerCase(), freeOnly.checked);
      if (entries.length === 0) append(results, h("li", { class: "muted small" }, "Nobody listed matches."));
      const now = Date.now() / 1000;
      for (const entry of entries) {
        append(results, h("li", { "data-testid": "directory-entry" },
          h("span", { class: "name" }, entry.name),
          Number(entry.freeForChatUntil) > now ? h("span", { class: "tag" }, "free for chat") : null,
          h("span", { class: "small" }, ` ${entry.description}`),
          h("button", { "data-testid": "ask-contact", onClick: () => ui.act(async () => {
            const resolved = await ui.client.handles.resolveOnThisServer(entry.name);
            const invite = await ui.client.contacts.requestContact(resolved.addressLink);
            ui.go({ kind: "invite", id: invite.id });
          }, () => undefined) }, "Ask for contact")));
      }
    } catch (e) {
      error.textContent = messageOf(e);
    }
  };
  const form = h("form", { class: "form", "data-testid": "directory-screen" },
    h("h1", {}, "Directory"),
    h("p", { class: "muted small" }, `People who listed their handle on this server${server ? ` (${server})` : ""}.`),
    h("div", { class: "row" }, query, h("button", { type: "submit", "data-testid": "directory-search" }, "Search")),
    h("label", { class: "row" }, freeOnly, " Only those free for chat"),
    error, results);
  form.addEventListener("submit", event => {
    event.preventDefault();
    void search();
  });
  append(ui.main, form);
}
