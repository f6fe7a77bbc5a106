// Translations for the panel and the options page: the browser's UI language picks the catalog
// (`_locales/<lang>/messages.json`, written by build.mjs from src/i18n/*.json); English
// is built in as the fallback, so a missing message or a page outside the extension
// (unit tests) still reads well.

import en from "../i18n/en.json";

export type MessageKey = keyof typeof en;

const ENGLISH: Record<string, string> = en;
let override: Record<string, string> | null = null;

/** Uses `catalog` instead of the browser's (tests). */
export function useCatalog(catalog: Record<string, string> | null): void {
  override = catalog;
}

function fill(text: string, subs: readonly string[]): string {
  return text.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? "");
}

function browserMessage(key: string, subs: readonly string[]): string {
  try {
    const i18n = (globalThis as { chrome?: { i18n?: { getMessage?: (k: string, s: string[]) => string } } }).chrome?.i18n;
    return i18n?.getMessage?.(key, [...subs]) ?? "";
  } catch {
    return "";
  }
}

/** The message `key` in the user's language, with `$1`… filled from `subs`. */
export function t(key: MessageKey, ...subs: (string | number)[]): string {
  const strings = subs.map(String);
  if (override) return fill(override[key] ?? ENGLISH[key] ?? key, strings);
  return browserMessage(key, strings) || fill(ENGLISH[key] ?? key, strings);
}

/** A message whose key is only known at run time (role names, notices); `fallback` if unknown. */
export function tDynamic(key: string, subs: readonly string[] = [], fallback = key): string {
  if (key in ENGLISH) return t(key as MessageKey, ...subs);
  return fallback;
}

/** The language the UI is shown in, for dates and numbers (e.g. "en-US", "zh-CN"). */
export function uiLanguage(): string {
  try {
    const i18n = (globalThis as { chrome?: { i18n?: { getMessage?: (k: string) => string; getUILanguage?: () => string } } }).chrome?.i18n;
    // The language of the catalog in use (getUILanguage and @@ui_locale can name the
    // browser's default locale instead, e.g. in headless Chromium).
    const shown = i18n?.getMessage?.("locale");
    if (shown) return shown;
    const lang = i18n?.getUILanguage?.();
    if (lang) return lang;
  } catch {
    // not in an extension page
  }
  return typeof navigator !== "undefined" ? navigator.language : "en";
}
