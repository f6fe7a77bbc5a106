// Light or dark: the system's choice unless the options page set one (the "theme"
// setting). The panel applies it as data-theme on <html>.

import { getSettings, onSettingsChanged, type Theme } from "./settings";

function set(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Applies the stored theme now and whenever the setting changes. */
export function applyTheme(): void {
  void getSettings().then((settings) => set(settings.theme));
  onSettingsChanged((settings) => set(settings.theme));
}
