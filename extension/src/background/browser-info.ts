// Which browser this is: the family (the value `rolecall install --browser` takes) and
// the major version, from navigator.userAgent and, where present, userAgentData brands.
// Pure functions over those inputs, so they are unit-tested without a browser.

export type BrowserFamily = "chrome" | "chromium" | "edge" | "brave" | "vivaldi" | "firefox";

export interface BrowserInfo {
  family: BrowserFamily;
  /** Major version, or 0 when it cannot be read. */
  major: number;
}

export interface BrowserHints {
  userAgent: string;
  /** navigator.userAgentData?.brands (Chromium only). */
  brands?: ReadonlyArray<{ brand: string; version: string }>;
  /** Brave sets navigator.brave. */
  isBrave?: boolean;
}

function majorOf(text: string | undefined): number {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function detectBrowser(hints: BrowserHints): BrowserInfo {
  const ua = hints.userAgent;
  const firefox = /\bFirefox\/(\d+)/.exec(ua);
  if (firefox && !/\bChrome\//.test(ua)) return { family: "firefox", major: majorOf(firefox[1]) };

  const chromeMajor = majorOf(/\bChrom(?:e|ium)\/(\d+)/.exec(ua)?.[1]);
  const brands = hints.brands ?? [];
  const brand = (name: string) => brands.find((b) => b.brand === name);
  const edge = /\bEdg\/(\d+)/.exec(ua);
  if (edge || brand("Microsoft Edge")) {
    return { family: "edge", major: majorOf(brand("Microsoft Edge")?.version ?? edge?.[1]) || chromeMajor };
  }
  if (hints.isBrave || brand("Brave")) {
    return { family: "brave", major: majorOf(brand("Brave")?.version) || chromeMajor };
  }
  if (/\bVivaldi\//.test(ua) || brand("Vivaldi")) return { family: "vivaldi", major: chromeMajor };
  if (brand("Google Chrome")) return { family: "chrome", major: majorOf(brand("Google Chrome")?.version) || chromeMajor };
  // Chromium's user agent says "Chrome/…" too; without brands the two look the same.
  return { family: "chromium", major: majorOf(brand("Chromium")?.version) || chromeMajor };
}

/** The `client.browser` string sent in `hello`, e.g. "chromium 156", "firefox 128". */
export function browserLabel(info: BrowserInfo): string {
  return info.major > 0 ? `${info.family} ${info.major}` : info.family;
}

/** The current browser, from `navigator` (works in a service worker and in pages). */
export function currentBrowser(): BrowserInfo {
  const nav = globalThis.navigator as
    | (Navigator & { userAgentData?: { brands?: Array<{ brand: string; version: string }> }; brave?: unknown })
    | undefined;
  return detectBrowser({
    userAgent: nav?.userAgent ?? "",
    brands: nav?.userAgentData?.brands ?? [],
    isBrave: nav?.brave !== undefined,
  });
}
