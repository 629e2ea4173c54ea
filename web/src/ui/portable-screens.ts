// Moving a profile: the export screen (a download for the purr tool or another browser) and the import form on the
// first screen (PROTOCOL.md 9, "Portable profiles").
import type { PurrClient } from "../app/client";
import { WrongPassphraseError } from "../app/profile-file";
import { h } from "./dom";
import { messageOf, type ScreenHost } from "./screen-host";
import { createProfile, importProfile, type ServerInfo } from "./session-start";

export const EXPORT_FILE_NAME = "purr-profile.purr";

export function renderExport(host: ScreenHost): void {
  const button = h("button", { "data-testid": "download-profile" }, "Download the profile file");
  button.addEventListener("click", () => host.act(async () => {
    const file = await host.client.exportFile();
    const url = URL.createObjectURL(new Blob([file.slice().buffer], { type: "application/octet-stream" }));
    const link = h("a", { href: url, download: EXPORT_FILE_NAME });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }, () => host.toast("Profile file saved. Import it on the other device, then stop using this one.")));
  host.main.appendChild(h("section", { class: "card-form", "data-testid": "export-screen" },
    h("h1", {}, "Move this profile"),
    h("p", {}, "One file holds your contacts, rooms, settings and messages, encrypted with this profile's passphrase. "
      + "Open it in the purr tool (purr import FILE) or in another browser's Purr page (Import a profile)."),
    h("p", { class: "error" }, "Use it on one device only: once imported elsewhere, stop using this one. "
      + "Two copies would advance the same encrypted sessions, and messages would stop decrypting."),
    button));
}

/** The first screen's "import a profile" part: a file, its passphrase, and the app runs with it. */
export function importForm(server: ServerInfo, started: (client: PurrClient) => Promise<void>): HTMLElement {
  const file = h("input", { id: "import-file", "data-testid": "import-file", type: "file", accept: ".purr,application/octet-stream" });
  const pass = h("input", { id: "import-passphrase", "data-testid": "import-passphrase", type: "password", autocomplete: "current-password" });
  const error = h("p", { class: "error", role: "alert", "data-testid": "import-error" });
  const button = h("button", { type: "submit", "data-testid": "import-profile" }, "Import");
  const form = h("form", { class: "card-form", "data-testid": "import-screen" },
    h("h2", {}, "Moving from another device?"),
    h("p", { class: "muted small" }, "Import a profile exported by the purr tool (purr export FILE) or by another browser."),
    h("label", { for: "import-file" }, "Profile file"), file,
    h("label", { for: "import-passphrase" }, "Its passphrase"), pass, error, button);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    const chosen = file.files?.[0];
    if (!chosen) return void (error.textContent = "Choose the profile file.");
    button.disabled = true;
    button.textContent = "Importing…";
    try {
      const client = await importProfile(server, new Uint8Array(await chosen.arrayBuffer()), pass.value);
      await started(client);
    } catch (e) {
      error.textContent = e instanceof WrongPassphraseError ? "Wrong passphrase (or the file is damaged)." : messageOf(e);
      button.disabled = false;
      button.textContent = "Import";
    }
  });
  return form;
}

/**
 * The first screen's "link this browser to your other device" part (PROTOCOL.md 10.10): a device link from
 * `purr devices link`, a name for this browser and a passphrase; the app runs and shows the code to compare.
 */
export function joinForm(server: ServerInfo, started: (client: PurrClient) => Promise<void>): HTMLElement {
  const link = h("input", { id: "join-link", "data-testid": "join-link", autocomplete: "off", placeholder: "purr:link/…" });
  const name = h("input", { id: "join-name", "data-testid": "join-name", autocomplete: "off", maxlength: 40, value: "browser" });
  const pass = h("input", { id: "join-passphrase", "data-testid": "join-passphrase", type: "password", autocomplete: "new-password", minlength: 8 });
  const error = h("p", { class: "error", role: "alert", "data-testid": "join-error" });
  const button = h("button", { type: "submit", "data-testid": "join-device" }, "Link");
  const form = h("form", { class: "card-form", "data-testid": "join-screen" },
    h("h2", {}, "Using Purr on another device already?"),
    h("p", { class: "muted small" }, "Run purr devices link --name browser there and paste the link it shows: this browser becomes one more of your devices, with your contacts."),
    h("label", { for: "join-link" }, "Device link"), link,
    h("label", { for: "join-name" }, "Name for this browser"), name,
    h("label", { for: "join-passphrase" }, "A passphrase for this browser (at least 8 characters)"), pass, error, button);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    if (!link.value.trim().startsWith("purr:link/")) return void (error.textContent = "Paste the purr:link/… link your other device shows.");
    if (pass.value.length < 8) return void (error.textContent = "Use a passphrase of at least 8 characters.");
    button.disabled = true;
    button.textContent = "Linking…";
    try {
      const client = await createProfile(server, "", pass.value);
      await started(client);
      // The app runs from here on: a failure shows there.
      await client.ownDevices.join(link.value, name.value).then(
        () => client.emit({ kind: "changed" }),
        e => client.emit({ kind: "problem", text: `Linking failed: ${messageOf(e)}` }));
    } catch (e) {
      error.textContent = messageOf(e);
      button.disabled = false;
      button.textContent = "Link";
    }
  });
  return form;
}
