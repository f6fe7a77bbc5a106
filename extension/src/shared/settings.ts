// The user's settings, kept in chrome.storage.local as one object under "settings": the
// default region for numbers written without a country code, the theme, and whether a
// call placed from a page opens the panel. Every part of the extension reads and writes
// them here, typed and with their defaults.

import type { CountryCode } from "libphonenumber-js/max";
import { defaultRegion } from "./phone/region";

const SETTINGS_KEY = "settings";

export type Theme = "system" | "light" | "dark";
export const THEMES: readonly Theme[] = ["system", "light", "dark"];

export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

export interface Settings {
  /** A two-letter region chosen on the options page; null: from the browser's languages. */
  region: string | null;
  theme: Theme;
  /** Whether a call placed from a page opens the panel. */
  openPanelOnCall: boolean;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = { region: null, theme: "system", openPanelOnCall: true };

/** The stored value read leniently: a missing or odd field takes its default. */
function parseSettings(value: unknown): Settings {
  const stored = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    region: typeof stored.region === "string" ? stored.region : DEFAULT_SETTINGS.region,
    theme: isTheme(stored.theme) ? stored.theme : DEFAULT_SETTINGS.theme,
    openPanelOnCall: stored.openPanelOnCall !== false,
  };
}

function storage(): chrome.storage.StorageArea | undefined {
  return typeof chrome !== "undefined" ? chrome.storage?.local : undefined;
}

/** The settings now; the defaults when storage cannot be read (e.g. the extension was reloaded). */
export async function getSettings(): Promise<Settings> {
  try {
    const stored = await storage()?.get(SETTINGS_KEY);
    return parseSettings(stored?.[SETTINGS_KEY]);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** Changes the fields in `patch`, keeping the others as stored. */
export async function updateSettings(patch: Partial<Settings>): Promise<void> {
  const area = storage();
  if (!area) return;
  const stored = await area.get(SETTINGS_KEY);
  const current = (stored[SETTINGS_KEY] as Record<string, unknown> | undefined) ?? {};
  await area.set({ [SETTINGS_KEY]: { ...current, ...patch } });
}

/** Calls `listener` with the new settings whenever they change; returns a function to stop. */
export function onSettingsChanged(listener: (settings: Settings) => void): () => void {
  const changed = typeof chrome !== "undefined" ? chrome.storage?.onChanged : undefined;
  if (!changed) return () => undefined;
  const handler = (changes: Record<string, chrome.storage.StorageChange>, area: string): void => {
    const change = changes[SETTINGS_KEY];
    if (area === "local" && change) listener(parseSettings(change.newValue));
  };
  changed.addListener(handler);
  return () => changed.removeListener(handler);
}

/** The region numbers without a country code are read in: the setting, else the browser's languages. */
export async function currentRegion(): Promise<CountryCode | undefined> {
  const { region } = await getSettings();
  return defaultRegion(region, navigator.languages ?? [navigator.language]);
}
