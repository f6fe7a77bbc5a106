// Match patterns as the extension APIs use them ("https://*.example.com/*"), for the
// site patterns Rolecall is granted: which one covers a URL, and the pattern for a site.

const PATTERN = /^(\*|https?):\/\/(\*|(?:\*\.)?[^/*:]+)\/(.*)$/;

/** True when `url` is covered by `pattern` (schemes http/https; any port; any path for "/*"). */
export function patternMatches(pattern: string, url: string): boolean {
  if (pattern === "<all_urls>") return /^https?:/.test(url);
  const parts = PATTERN.exec(pattern);
  if (!parts) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const [, scheme, host, path] = parts as unknown as [string, string, string, string];
  const protocol = parsed.protocol.slice(0, -1);
  if (scheme === "*" ? protocol !== "http" && protocol !== "https" : protocol !== scheme) return false;
  const hostname = parsed.hostname.toLowerCase();
  if (host !== "*") {
    if (host.startsWith("*.")) {
      const base = host.slice(2).toLowerCase();
      if (hostname !== base && !hostname.endsWith(`.${base}`)) return false;
    } else if (hostname !== host.toLowerCase()) {
      return false;
    }
  }
  const glob = new RegExp(`^/${path.split("*").map(escapeRegExp).join(".*")}$`);
  return glob.test(parsed.pathname + parsed.search);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The pattern that enables one site: "https://crm.example.com/*" (every port and path). */
export function sitePattern(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (!parsed.hostname) return null;
  return `${parsed.protocol}//${parsed.hostname}/*`;
}
