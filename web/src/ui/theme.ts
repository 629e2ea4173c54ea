// Light, dark, or the system's choice, remembered in localStorage ("purr-theme").
export function applyTheme(theme: string | null): void {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
