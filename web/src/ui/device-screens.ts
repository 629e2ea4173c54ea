// This profile's devices (PROTOCOL.md 10.10): the list, a one-time link for a new device (its link, QR code and the
// code to compare), and removing one. Two-step buttons: the page takes no confirm() dialogs.
import { h, clear } from "./dom";
import { qrCanvas } from "./qr";
import type { ScreenHost } from "./screen-host";

export function renderDevices(host: ScreenHost): void {
  const client = host.client;
  const list = h("ul", { class: "list", "data-testid": "device-list" });
  const linking = h("div", { "data-testid": "device-linking" });
  const name = h("input", { id: "new-device-name", "data-testid": "new-device-name", maxlength: 40, placeholder: "laptop" });
  const offer = h("button", { "data-testid": "offer-link" }, "Show a link for it");
  offer.addEventListener("click", () => host.act(() => client.ownDevices.offerLink(name.value), () => host.refreshCurrent?.()));

  host.refreshCurrent = () => {
    clear(list);
    const devices = client.data.ownDevices ?? [];
    list.appendChild(h("li", { "data-testid": "device" }, `${client.data.deviceName || "this browser"} (this browser)`));
    for (const device of devices.filter(d => d.confirmed)) {
      const remove = h("button", { class: "subtle", "data-testid": "remove-device" }, "Remove");
      remove.addEventListener("click", () => {
        if (remove.dataset.armed !== "yes") {
          remove.dataset.armed = "yes";
          remove.textContent = `Remove ${device.name}: it stops receiving as you`;
          return;
        }
        void host.act(() => client.ownDevices.revoke(device.deviceId), () => host.toast(`${device.name} was removed`));
      });
      list.appendChild(h("li", { "data-testid": "device" }, device.name, " ", remove));
    }

    clear(linking);
    const offered = client.ownDevices.offered;
    if (!offered) return;
    if (offered.linked) {
      linking.appendChild(h("p", { "data-testid": "device-linked" }, `${offered.name} is linked: it has your contacts, and your contacts' apps start sessions with it.`));
      return;
    }
    if (offered.answered) {
      const yes = h("button", { "data-testid": "link-confirm" }, "The codes match");
      const no = h("button", { class: "subtle", "data-testid": "link-reject" }, "They differ");
      yes.addEventListener("click", () => host.act(() => client.ownDevices.confirmLink(), () => host.toast(`Sent your profile to ${offered.name}`)));
      no.addEventListener("click", () => host.act(() => client.ownDevices.rejectLink(), () => host.toast("Nothing was sent; link again")));
      linking.append(
        h("p", {}, `${offered.name} answered. Does it show this code?`),
        h("p", { class: "code", "data-testid": "device-link-code" }, offered.answered.code), yes, no);
      return;
    }
    linking.append(
      h("p", {}, `Open this link on ${offered.name} (purr devices join LINK, or paste it on a new browser's first page); it works once, for 10 minutes.`),
      h("input", { readonly: true, "data-testid": "device-link", value: offered.link }),
      qrCanvas(offered.link, 3));
  };

  host.main.appendChild(h("section", { class: "card-form", "data-testid": "devices-screen" },
    h("h1", {}, "Your devices"),
    h("p", { class: "muted small" }, "Each device has its own keys: a message reaches all of them, and one you remove stops receiving at once."),
    list,
    h("h2", {}, "Link a new device"),
    h("label", { for: "new-device-name" }, "Its name"), name, offer, linking));
  host.refreshCurrent();
}
