// The contact screens: a new invite (card link and QR), accepting a card, a one-to-one chat, the safety code.
import { formatSafetyCode } from "../e2e/safety-code";
import { h, append } from "./dom";
import { qrCanvas } from "./qr";
import { copy, messageOf, type ScreenHost } from "./screen-host";

export async function newInvite(ui: ScreenHost): Promise<void> {
  const label = prompt("Who is this invite for? (only you see this)", "") ?? "";
  try {
    const invite = await ui.client.contacts.invite(label.trim() || "new contact");
    ui.go({ kind: "invite", id: invite.id });
  } catch (e) {
    ui.toast(messageOf(e));
  }
}

export function renderInvite(ui: ScreenHost, id: string): void {
  const invite = ui.client.data.invites.find(i => i.id === id);
  if (!invite) {
    const contact = ui.client.contacts.find(id);
    return contact ? ui.go({ kind: "contact", id }) : ui.go({ kind: "home" });
  }
  const text = h("textarea", { readonly: true, rows: 4, "data-testid": "card-link", class: "mono" });
  text.value = invite.cardLink;
  append(ui.main, h("section", { class: "form", "data-testid": "invite-screen" },
    h("h1", {}, `Invite for ${invite.label}`),
    h("p", {}, "Give this card to one person, in person or over a channel you trust. It works once and expires on ",
      new Date(invite.expiresAt * 1000).toLocaleDateString(), "."),
    text,
    h("div", { class: "row" },
      h("button", { "data-testid": "copy-card", onClick: () => copy(invite.cardLink, ui) }, "Copy link"),
      h("button", { class: "subtle danger", onClick: async () => { await ui.client.contacts.cancelInvite(id); ui.go({ kind: "home" }); } }, "Cancel invite")),
    qrCanvas(invite.cardLink)));
}

export function renderAccept(ui: ScreenHost): void {
  const input = h("textarea", { rows: 4, "data-testid": "card-input", placeholder: "purr:card/…", class: "mono" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "accept-card" }, "Accept");
  const form = h("form", { class: "form" }, h("h1", {}, "Accept a card"), h("p", {}, "Paste the card link someone gave you."), input, error, button);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    button.disabled = true;
    try {
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
  const title = h("h1", { "data-testid": "conversation-title" });
  const composer = ui.composer(text => ui.client.contacts.sendText(id, text));
  append(ui.main,
    h("header", { class: "conversation-head" },
      title, badge,
      h("span", { class: "spacer" }),
      h("button", { class: "subtle", "data-testid": "safety-code", onClick: () => ui.go({ kind: "safety", id }) }, "Safety code"),
      h("button", { class: "subtle danger", "data-testid": "remove-contact", onClick: async () => {
        if (confirm(`Remove ${contact.displayName}? Both sides forget the conversation's keys.`)) {
          await ui.client.contacts.remove(id);
          ui.go({ kind: "home" });
        }
      } }, "Remove")),
    ui.messagesPane(() => ui.client.contacts.find(id)?.messages ?? []),
    composer.form);
  // The head and the composer follow the contact's state (answered, verified, removed) without a rebuild, so a draft survives.
  const refresh = () => {
    const current = ui.client.contacts.find(id);
    if (!current) return ui.go({ kind: "home" });
    title.textContent = current.displayName;
    badge.textContent = current.verified ? "✓ verified" : "";
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
    h("p", { class: "safety-code mono", "data-testid": "safety-digits" }, formatSafetyCode(code)),
    qrCanvas(code),
    h("div", { class: "row" },
      h("button", { "data-testid": "mark-verified", onClick: async () => { await ui.client.contacts.markVerified(id, !contact.verified); ui.go({ kind: "contact", id }); } },
        contact.verified ? "Mark as not verified" : "They match: mark verified"),
      h("button", { class: "subtle", onClick: () => ui.go({ kind: "contact", id }) }, "Back"))));
}
