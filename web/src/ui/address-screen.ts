// "My address": the profile's contact address (link and QR, auto-accept, replace, revoke) and the requests that came
// through it, each to accept or reject (PROTOCOL.md 10.8).
import { h, append, clear } from "./dom";
import { qrCanvas } from "./qr";
import { copy, type ScreenHost } from "./screen-host";
import { longDate } from "./contact-screens";

export function renderAddress(ui: ScreenHost): void {
  const contacts = ui.client.contacts;
  const addressPart = h("div", {});
  const requestList = h("ul", { class: "members", "data-testid": "request-list" });
  const fill = () => {
    clear(addressPart);
    clear(requestList);
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
    }
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
  ui.refreshCurrent = fill;
}
