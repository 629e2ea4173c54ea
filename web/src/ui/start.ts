// The first screens: create a profile, or unlock the one this browser keeps; then the app runs.
import { WrongPassphraseError } from "../app/profile-file";
import { deleteProfileBlob } from "../app/profile-store";
import { deleteHistoryDatabase } from "../app/history-store";
import { h, clear } from "./dom";
import { runApp } from "./app";
import { applyTheme } from "./theme";
import { messageOf } from "./screen-host";
import { createProfile, hasProfile, profileLabel, serverInfo, unlockProfile, type ServerInfo } from "./session-start";
import { accessFields, inviteFromPageAddress } from "./registration";
import { importForm, joinForm } from "./portable-screens";

const MIN_PASSPHRASE = 8;

export async function startApp(root: HTMLElement): Promise<void> {
  applyTheme(localStorage.getItem("purr-theme"));
  const server = await serverInfo();
  if (await hasProfile()) showUnlock(root, server, await profileLabel());
  else showCreate(root, server);
}

function showCreate(root: HTMLElement, server: ServerInfo): void {
  clear(root);
  const name = h("input", { id: "display-name", "data-testid": "display-name", autocomplete: "nickname", maxlength: 64, required: true });
  const pass = h("input", { id: "passphrase", "data-testid": "passphrase", type: "password", autocomplete: "new-password", required: true, minlength: MIN_PASSPHRASE });
  const again = h("input", { id: "passphrase-again", "data-testid": "passphrase-again", type: "password", autocomplete: "new-password", required: true });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "create-profile", disabled: server.registration === "closed" }, "Create profile");
  const access = accessFields(server.registration, inviteFromPageAddress(location.hash));
  const form = h("form", { class: "card-form", "data-testid": "create-screen" },
    h("h1", {}, "Welcome to Purr"),
    h("p", {}, "Your profile stays in this browser, encrypted with your passphrase. No phone number, no email: contacts find you through cards you hand them."),
    h("label", { for: "display-name" }, "Your name (what your contacts see)"), name,
    h("label", { for: "passphrase" }, `Passphrase (${MIN_PASSPHRASE} characters or more; the same rule as the purr tool's)`), pass,
    h("label", { for: "passphrase-again" }, "Passphrase again"), again,
    ...access.fields,
    server.registration === "closed" ? h("p", { class: "error", "data-testid": "closed" }, "This server takes no new people; ask its operator, or use another server.") : null,
    error, button,
    h("p", { class: "muted small address", "data-testid": "server-address" }, `Server ${server.address}`));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    if (!name.value.trim()) return void (error.textContent = "Choose a name.");
    if (pass.value.length < MIN_PASSPHRASE) return void (error.textContent = `Use a passphrase of at least ${MIN_PASSPHRASE} characters.`);
    if (pass.value !== again.value) return void (error.textContent = "The passphrases differ.");
    const given = access.read();
    if (typeof given === "string") return void (error.textContent = given);
    button.disabled = true;
    button.textContent = "Creating…";
    try {
      const client = await createProfile(server, name.value.trim(), pass.value, given);
      await runApp(root, client);
    } catch (e) {
      error.textContent = messageOf(e);
      button.disabled = false;
      button.textContent = "Create profile";
    }
  });
  root.appendChild(form);
  root.appendChild(importForm(server, client => runApp(root, client)));
  root.appendChild(joinForm(server, client => runApp(root, client)));
  name.focus();
}

function showUnlock(root: HTMLElement, server: ServerInfo, label: string | null): void {
  clear(root);
  const pass = h("input", { id: "unlock-passphrase", "data-testid": "unlock-passphrase", type: "password", autocomplete: "current-password" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "error" });
  const button = h("button", { type: "submit", "data-testid": "unlock" }, "Unlock");
  const form = h("form", { class: "card-form", "data-testid": "unlock-screen" },
    h("h1", { "data-testid": "unlock-title" }, label ? `Unlock ${label}'s profile` : "Unlock Purr"),
    h("p", { class: "muted small address" }, `on ${server.address}`),
    h("label", { for: "unlock-passphrase" }, "Passphrase"), pass, error, button,
    h("button", {
      type: "button", class: "danger subtle", "data-testid": "delete-profile",
      onClick: async () => {
        if (confirm("Delete the profile stored in this browser? Contacts, rooms and keys are gone for good.")) {
          await deleteProfileBlob();
          await deleteHistoryDatabase();
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


