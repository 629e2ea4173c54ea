// The contact screens: a new invite (card link and QR), accepting a card, a one-to-one chat, the safety code.
import { formatSafetyCode } from "../e2e/safety-code";
import { parseRoute, parseThrough, routeName } from "../app/routes";
import { isAddressLink, MAX_REQUEST_MESSAGE } from "../e2e/address";
import { parseHandle } from "../app/handles";
import { disappearControl } from "./disappear-control";
import { h, append } from "./dom";
import { qrCanvas } from "./qr";
import { copy, messageOf, type ScreenHost } from "./screen-host";

/** A form, not a prompt: Cancel creates nothing, and the name can be typed at leisure. */
export function renderNewInvite(ui: ScreenHost): void {
  const label = h("input", { "data-testid": "invite-label", maxlength: 64, placeholder: "e.g. Bob from the book club" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const create = h("button", { type: "submit", "data-testid": "create-invite" }, "Create card");
  const form = h("form", { class: "form", "data-testid": "new-invite-screen" },
    h("h1", {}, "Invite someone"),
    h("label", {}, "Who is it for? (only you see this)"), label, error,
    h("div", { class: "row" }, create,
      h("button", { type: "button", class: "subtle", "data-testid": "cancel-new-invite", onClick: () => ui.go({ kind: "home" }) }, "Cancel")));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    create.disabled = true;
    try {
      const invite = await ui.client.contacts.invite(label.value.trim() || "new contact");
      ui.go({ kind: "invite", id: invite.id });
    } catch (e) {
      error.textContent = messageOf(e);
      create.disabled = false;
    }
  });
  append(ui.main, form);
  label.focus();
}

/** A date no reader can take for another: "7 December 2026" (or the reader's own order, with the month in words). */
export const longDate = (seconds: number) =>
  new Date(seconds * 1000).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });

export function renderInvite(ui: ScreenHost, id: string): void {
  const invite = ui.client.data.invites.find(i => i.id === id);
  if (!invite) {
    const contact = ui.client.contacts.find(id);
    return contact ? ui.go({ kind: "contact", id }) : ui.go({ kind: "home" });
  }
  const text = h("textarea", { readonly: true, rows: 4, "data-testid": "card-link", class: "mono" });
  text.value = invite.cardLink;
  append(ui.main, h("section", { class: "form", "data-testid": "invite-screen" },
    h("h1", {}, invite.requested ? `Request to ${invite.label}` : `Invite for ${invite.label}`),
    invite.requested
      ? h("p", { "data-testid": "request-waiting" }, "Your request went to their contact address. They become a contact when they accept; it waits until ", longDate(invite.expiresAt), ".")
      : h("p", {}, "Give this card to one person, in person or over a channel you trust. It works once and expires on ",
        longDate(invite.expiresAt), "."),
    // A request's card went sealed to the address: it is not for sharing.
    invite.requested ? null : text,
    h("div", { class: "row" },
      invite.requested ? null : h("button", { "data-testid": "copy-card", onClick: () => copy(invite.cardLink, ui) }, "Copy link"),
      h("button", { class: "subtle danger", onClick: async () => { await ui.client.contacts.cancelInvite(id); ui.go({ kind: "home" }); } }, invite.requested ? "Cancel request" : "Cancel invite")),
    invite.requested ? null : qrCanvas(invite.cardLink)));
  // Once the card is used the invite becomes a contact: show that, not a spent card.
  ui.refreshCurrent = () => {
    if (ui.client.data.invites.some(i => i.id === id)) return;
    const contact = ui.client.contacts.find(id);
    if (contact) ui.toast(`${contact.displayName || invite.label} accepted your card.`);
    ui.go(contact ? { kind: "contact", id } : { kind: "home" });
  };
}

export function renderAccept(ui: ScreenHost): void {
  const input = h("textarea", { rows: 4, "data-testid": "card-input", placeholder: "purr:card/…, purr:address/… or name@server", class: "mono" });
  const note = h("input", { "data-testid": "request-note", maxlength: MAX_REQUEST_MESSAGE, placeholder: "a short note (contact addresses only, optional)" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "accept-card" }, "Add");
  const form = h("form", { class: "form" }, h("h1", {}, "Add a contact"),
    h("p", {}, "Paste the card someone gave you (it works once), or their contact address or handle (they accept your request)."), input, note, error, button);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    button.disabled = true;
    try {
      const handle = parseHandle(input.value);
      if (isAddressLink(input.value) || handle) {
        const link = handle ? (await ui.client.handles.resolve(input.value)).addressLink : input.value;
        const invite = await ui.client.contacts.requestContact(link, note.value.trim());
        ui.toast("Request sent; they become a contact when they accept.");
        ui.go({ kind: "invite", id: invite.id });
        return;
      }
      const contact = await ui.client.contacts.accept(input.value);
      ui.go({ kind: "contact", id: contact.id });
    } catch (e) {
      error.textContent = messageOf(e);
      button.disabled = false;
    }
  });
  append(ui.main, form);
}

export function renderContact(ui: ScreenHost, id: string): void {
  const contact = ui.client.contacts.find(id);
  if (!contact) return ui.go({ kind: "home" });
  void ui.client.contacts.markRead(id);
  const badge = h("span", { class: "verified", title: "You compared safety codes" });
  const quantum = h("span", { class: "quantum", "data-testid": "post-quantum",
    title: "Post-quantum: this conversation's keys also come from ML-KEM-768 (PQXDH and the post-quantum ratchet), so recorded messages stay safe from a future quantum computer" });
  const title = h("h1", { "data-testid": "conversation-title" });
  const composer = ui.composer(text => ui.client.contacts.sendText(id, text));
  // How messages to a contact on another server travel (the page reaches only its own server): app/routes.ts.
  const stored = parseRoute(contact.route);
  const through = h("input", {
    class: "route-through", "data-testid": "route-through", "aria-label": "Servers to go through", placeholder: "purr://… , purr://… (after yours, in order)",
    value: stored.kind === "through" ? stored.servers.join(", ") : "", hidden: stored.kind !== "through",
    onChange: async (event: Event) => {
      const input = event.target as HTMLInputElement;
      const servers = parseThrough(input.value);
      input.setCustomValidity(servers ? "" : "1 to 4 server addresses (purr://…), separated by commas");
      input.reportValidity();
      if (servers) await ui.client.contacts.setRoute(id, routeName({ kind: "through", servers }));
    },
  });
  const route = h("select", {
    class: "route", "data-testid": "route", "aria-label": "Route",
    title: "How your messages to this contact travel when they live on another server: through your server (which learns only which server), or an onion route of servers each of which learns only its neighbours",
    onChange: async (event: Event) => {
      const value = (event.target as HTMLSelectElement).value;
      through.hidden = value !== "through";
      if (value === "through") through.focus();
      else await ui.client.contacts.setRoute(id, value);
    },
  },
    h("option", { value: "via-home" }, "Through my server"),
    ...[2, 3, 4, 5].map(n => h("option", { value: `hops:${n}` }, `Onion route, ${n} servers`)),
    h("option", { value: "through" }, "Onion route through servers I name"));
  route.value = stored.kind === "through" ? "through" : routeName(stored);
  const disappear = disappearControl(ui, seconds => ui.client.contacts.setDisappearing(id, seconds));
  append(ui.main,
    h("header", { class: "conversation-head" },
      title, badge, quantum,
      h("span", { class: "spacer" }),
      disappear.element, route, through,
      h("button", { class: "subtle", "data-testid": "safety-code", onClick: () => ui.go({ kind: "safety", id }) }, "Safety code"),
      h("button", { class: "subtle danger", "data-testid": "remove-contact", onClick: async () => {
        if (confirm(`Remove ${contact.displayName}? Both sides forget the conversation's keys.`)) {
          await ui.client.contacts.remove(id);
          ui.go({ kind: "home" });
        }
      } }, "Remove")),
    ui.messagesPane(`c:${id}`, () => ui.client.contacts.find(id)?.messages ?? []),
    composer.form);
  // The head and the composer follow the contact's state (answered, verified, removed) without a rebuild, so a draft survives.
  const refresh = () => {
    const current = ui.client.contacts.find(id);
    if (!current) return ui.go({ kind: "home" });
    title.textContent = current.displayName;
    badge.textContent = current.verified ? "✓ verified" : "";
    quantum.textContent = (current.devices?.peers[0]?.sessions[0]?.state ?? current.state).postQuantum ? "post-quantum" : "";
    disappear.show(current.disappearAfter ?? 0);
    composer.setState(
      !current.outbox ? "This contact can no longer be reached." : current.established ? "Message (Markdown: *emphasis*, `code`, [links](https://…), - lists)" : "Waiting for the contact to answer… (you can already write)",
      !current.outbox);
    ui.fillMessages();
  };
  ui.refreshCurrent = refresh;
  refresh();
}

export function renderSafety(ui: ScreenHost, id: string): void {
  const contact = ui.client.contacts.find(id);
  if (!contact) return ui.go({ kind: "home" });
  const code = ui.client.contacts.safetyCodeFor(contact);
  append(ui.main, h("section", { class: "form", "data-testid": "safety-screen" },
    h("h1", {}, `Safety code with ${contact.displayName}`),
    h("p", {}, "Compare these numbers with your contact in person or on a call. If they match, nobody is in between."),
    // Groups of five never break apart: each is one unbreakable box, with spaces between boxes.
    h("p", { class: "safety-code mono", "data-testid": "safety-digits" },
      ...formatSafetyCode(code).split(" ").flatMap((group, i) => [i > 0 ? " " : "", h("span", { class: "group" }, group)])),
    qrCanvas(code),
    h("div", { class: "row" },
      h("button", { "data-testid": "mark-verified", onClick: async () => { await ui.client.contacts.markVerified(id, !contact.verified); ui.go({ kind: "contact", id }); } },
        contact.verified ? "Mark as not verified" : "They match: mark verified"),
      h("button", { class: "subtle", onClick: () => ui.go({ kind: "contact", id }) }, "Back"))));
}
