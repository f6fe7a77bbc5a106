// Light or dark: the system's choice unless the options page set one ("theme" in the
// "settings" object of chrome.storage.local). Applied as data-theme on <html>.

export type Theme = "system" | "light" | "dark";
export const THEMES: readonly Theme[] = ["system", "light", "dark"];
const SETTINGS_KEY = "settings";

export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

function set(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Applies the stored theme now and whenever the setting changes. */
export function applyTheme(): void {
  const storage = typeof chrome !== "undefined" ? chrome.storage?.local : undefined;
  if (!storage) return;
  void storage.get(SETTINGS_KEY).then((stored) => {
    const settings = stored[SETTINGS_KEY] as { theme?: unknown } | undefined;
    set(isTheme(settings?.theme) ? settings.theme : "system");
  });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "local" || !changes[SETTINGS_KEY]) return;
    const settings = changes[SETTINGS_KEY].newValue as { theme?: unknown } | undefined;
    set(isTheme(settings?.theme) ? settings.theme : "system");
  });
}
