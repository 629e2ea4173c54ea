// The disappearing-message choice in a chat's header (PROTOCOL.md 10.5 for contacts, 12 for rooms).
import { describeTimer, TIMER_CHOICES } from "../app/disappearing";
import { h } from "./dom";
import type { ScreenHost } from "./screen-host";

export function disappearControl(ui: ScreenHost, set: (seconds: number) => Promise<void>): { element: HTMLSelectElement; show: (seconds: number) => void } {
  const element = h("select", {
    class: "disappear", "data-testid": "disappear", "aria-label": "Disappearing messages",
    title: "New messages in this chat are deleted on every side this long after they are sent or received",
    onChange: async (event: Event) => {
      const seconds = Number((event.target as HTMLSelectElement).value);
      await ui.act(() => set(seconds), () => undefined);
    },
  }, ...TIMER_CHOICES.map(s => h("option", { value: String(s) }, s === 0 ? "Messages are kept" : `Disappear after ${describeTimer(s)}`)));
  const show = (seconds: number) => {
    const value = String(seconds);
    // A timer someone else set that the list does not offer still shows as what it is.
    if (![...element.options].some(o => o.value === value)) element.appendChild(h("option", { value }, `Disappear after ${describeTimer(seconds)}`));
    if (document.activeElement !== element) element.value = value;
  };
  return { element, show };
}
