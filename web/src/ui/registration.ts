// What a server with a registration policy asks of a person, in the browser: the fields on the create
// screen, and the dialog shown when a creation was refused (a new invite, the right password or account).
import { RegistrationPolicy } from "../gen/purr/v1/registration_pb";
import type { PurrClient } from "../app/client";
import type { PolicyName } from "../app/registration";
import { h } from "./dom";
import { messageOf } from "./screen-host";

export interface AccessFields { fields: HTMLElement[]; read(): Access | string }
export type Access = { invite: string } | { serverPassword: string } | { account: string; password: string } | null;

/**
 * An invite handed over as a web link, https://server/#invite=<the purr:invite/… link, URL-encoded>: the part after
 * '#' never reaches the server, so the invite is in no request and no server log.
 */
export function inviteFromPageAddress(hash: string): string {
  const match = /^#invite=(.+)$/.exec(hash);
  if (!match) return "";
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return "";
  }
}

/** The inputs the create screen shows for the page's server, and how to read them (a string is a problem to show). */
export function accessFields(policy: PolicyName, invite = ""): AccessFields {
  switch (policy) {
    case "invite": {
      const link = h("input", { id: "invite-link", "data-testid": "invite-link", autocomplete: "off", placeholder: "purr:invite/…", value: invite || undefined });
      return {
        fields: [h("label", { for: "invite-link" }, "Invite link (this server lets people in by invitation; its operator gives the links)"), link],
        read: () => link.value.trim() ? { invite: link.value.trim() } : "Paste the invite link the server's operator gave you.",
      };
    }
    case "password": {
      const password = h("input", { id: "server-password", "data-testid": "server-password", type: "password", autocomplete: "off" });
      return {
        fields: [h("label", { for: "server-password" }, "Server password (ask the server's operator)"), password],
        read: () => password.value ? { serverPassword: password.value } : "This server asks for its password.",
      };
    }
    case "accounts": {
      const name = h("input", { id: "account-name", "data-testid": "account-name", autocomplete: "username" });
      const password = h("input", { id: "account-password", "data-testid": "account-password", type: "password", autocomplete: "current-password" });
      return {
        fields: [h("label", { for: "account-name" }, "Account on this server"), name, h("label", { for: "account-password" }, "Account password"), password],
        read: () => name.value.trim() && password.value ? { account: name.value.trim(), password: password.value } : "This server asks for your account name and password.",
      };
    }
    default:
      return { fields: [], read: () => null };
  }
}

/** Stores what the person gave (an invite is redeemed at once, so a bad one shows now). */
export async function applyAccess(client: PurrClient, access: Access): Promise<void> {
  if (!access) return;
  if ("invite" in access) await client.useInvite(access.invite);
  else if ("serverPassword" in access) await client.setServerPassword(access.serverPassword);
  else await client.setAccount(access.account, access.password);
}

export function policyName(policy: RegistrationPolicy): PolicyName {
  switch (policy) {
    case RegistrationPolicy.PASSWORD: return "password";
    case RegistrationPolicy.INVITE: return "invite";
    case RegistrationPolicy.ACCOUNTS: return "accounts";
    case RegistrationPolicy.CLOSED: return "closed";
    default: return "open";
  }
}

/** The dialog after a refused creation: true once the person gave something new to try. */
export function askAccess(client: PurrClient, policy: RegistrationPolicy, problem: string): Promise<boolean> {
  const { fields, read } = accessFields(policyName(policy));
  if (fields.length === 0) return Promise.resolve(false);
  return new Promise(resolve => {
    const error = h("p", { class: "error", role: "alert", "data-testid": "access-error" });
    const save = h("button", { type: "submit", "data-testid": "access-save" }, "Save and try again");
    const form = h("form", { method: "dialog", class: "card-form" },
      h("p", { "data-testid": "access-problem" }, problem), ...fields, error,
      h("div", { class: "row" }, save, h("button", { type: "button", class: "subtle", "data-testid": "access-cancel", onClick: () => finish(false) }, "Cancel")));
    const dialog = h("dialog", { class: "link-dialog", "data-testid": "access-dialog" }, form);
    let done = false;
    const finish = (result: boolean) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    dialog.addEventListener("cancel", () => finish(false));
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const access = read();
      if (typeof access === "string") return void (error.textContent = access);
      save.disabled = true;
      try {
        await applyAccess(client, access);
        finish(true);
      } catch (e) {
        error.textContent = messageOf(e);
        save.disabled = false;
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}
