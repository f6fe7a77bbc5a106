// What the CRM adapters share: finding the record's URL (the page's own, or the one a
// saved copy names), building the record and the snapshot in the host's shape, and
// document links that any page may show.

import type { PageRecord, PageSnapshot, SnapshotContact } from "../../protocol";
import { clipRecord, clipSnapshot } from "./clip";
import { attr, pageUrls, textOf, walkElements, type Root } from "./dom";

/** Object types that are deals: their name is the snapshot's `opportunity_name`. */
export const DEAL_TYPES: ReadonlySet<string> = new Set(["opportunity", "deal", "potential"]);

export interface RecordRef {
  objectType: string;
  recordId: string;
  /** The URL the record was read from: the page's, or the one a saved copy names. */
  url: URL;
}

/** The first of the page's URLs (see `pageUrls`) from which `parse` reads a record. */
export function findRecordRef(
  url: URL,
  doc: Document,
  parse: (u: URL) => { objectType: string; recordId: string } | null,
): RecordRef | null {
  for (const candidate of pageUrls(url, doc)) {
    const hit = parse(candidate);
    if (hit && hit.recordId) return { ...hit, url: candidate };
  }
  return null;
}

/** A record in the host's shape; instance and url are the CRM's when a saved copy names them. */
export function makeRecord(
  crm: string,
  url: URL,
  ref: Partial<RecordRef> | null,
  name: string,
): PageRecord | null {
  const where = ref?.url ?? url;
  return clipRecord({
    crm,
    instance: where.hostname,
    object_type: ref?.objectType ?? "",
    record_id: ref?.recordId ?? "",
    name,
    url: where.href,
  });
}

export interface SnapshotParts {
  objectType?: string;
  recordId?: string;
  name?: string;
  contacts?: Iterable<Partial<SnapshotContact> | null | undefined>;
  documents?: Iterable<{ title?: unknown; url?: unknown } | null | undefined>;
}

/** A snapshot in the host's shape, clipped to its limits. */
export function makeSnapshot(crm: string, base: URL, parts: SnapshotParts): PageSnapshot {
  const objectType = parts.objectType ?? "";
  return clipSnapshot(
    {
      crm,
      object_type: objectType,
      record_id: parts.recordId ?? "",
      opportunity_name: DEAL_TYPES.has(objectType) ? (parts.name ?? "") : "",
      contacts: parts.contacts ?? [],
      documents: parts.documents ?? [],
    },
    base,
  );
}

const DOCUMENT_EXTENSIONS =
  /\.(pdf|docx?|docm|xlsx?|xlsm|pptx?|odt|ods|odp|rtf|txt|csv|md|key|pages|numbers|vsdx?|zip|eml|msg)$/i;

/** True when `href` (as written on the page) names a document file. */
export function looksLikeDocument(href: string, base: URL): boolean {
  try {
    const u = new URL(href, base);
    if (u.protocol !== "http:" && u.protocol !== "https:") return false;
    const path = decodeURIComponent(u.pathname);
    if (DOCUMENT_EXTENSIONS.test(path)) return true;
    for (const value of u.searchParams.values()) if (DOCUMENT_EXTENSIONS.test(value)) return true;
    return false;
  } catch {
    return false;
  }
}

/** The title a document link shows: its text, else its title or aria-label, else its download name. */
export function linkTitle(a: Element): string {
  return textOf(a, 400) || attr(a, "title") || attr(a, "aria-label") || attr(a, "download");
}

/** Links to document files (by extension, or with a download attribute) under `root`, shadow trees included. */
export function documentLinks(root: Root, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const el of walkElements(root)) {
    if (el.tagName !== "A") continue;
    const href = attr(el, "href");
    if (!href || href.startsWith("#")) continue;
    if (el.hasAttribute("download") || looksLikeDocument(href, base)) out.push({ title: linkTitle(el), url: href });
  }
  return out;
}

/** The URL relative links on the page resolve against (its <base>, else its own URL). */
export function baseOf(url: URL, doc: Document): URL {
  try {
    const base = new URL(doc.baseURI || url.href);
    if (base.protocol === "http:" || base.protocol === "https:") return base;
  } catch {
    /* fall through */
  }
  return url;
}

/** True when `host` is `domain` or one of its subdomains. */
export function hostIs(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  return h === domain || h.endsWith("." + domain);
}
