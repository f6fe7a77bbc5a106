// What a CRM page says is untrusted text: it goes to the host, which validates it
// strictly (host/rolecall/protocol/page.py and context.py) and rejects the whole call
// when one field is off. Everything an adapter reads passes through here: text loses
// control and bidi-override characters and runs of whitespace, and is clipped to the
// host's limits (counted in code points, as Python counts); URLs are resolved against
// the page and kept only when http(s); lists are cut to their maximum length.

import { ROLES, type PageDeal, type PageRecord, type PageSnapshot, type Role, type SnapshotContact, type SnapshotDocument } from "../../protocol";

/** The host models' limits, field by field. */
export const LIMITS = {
  crm: 32,
  instance: 253,
  objectType: 64,
  recordId: 64,
  name: 200,
  url: 2000,
  title: 200,
  role: 100,
  email: 320,
  phone: 64,
  phones: 10,
  contacts: 500,
  documents: 500,
  docKind: 16,
  docSize: 32,
  pageKey: 2000,
  stage: 100,
  amount: 64,
  closeDate: 64,
} as const;


const CRM_PATTERN = /^[a-z0-9_]+$/;

// C0 and C1 controls, the bidi embeddings/overrides/isolates and marks, zero-width
// spaces and joiners that only hide text, the BOM, interlinear annotation marks, and
// unpaired surrogates (which would not survive UTF-8 on the way to the host).
const STRIP =
  /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Whitespace, including the separators and no-break spaces that \s knows and the
// C0 whitespace controls (tab, line feed, vertical tab, form feed, carriage return).
const SPACES = /[\s\u0085]+/g;

/** Text as the host may take it: no controls or bidi overrides, single spaces, at most `max` code points. */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== "string" || value === "") return "";
  const text = value.replace(STRIP, "").replace(SPACES, " ").trim();
  return clipCodePoints(text, max);
}

/** `text` cut to at most `max` code points, never between the halves of a surrogate pair. */
export function clipCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  if (max <= 1) return points.slice(0, Math.max(0, max)).join("");
  return points.slice(0, max - 1).join("").trimEnd() + "\u2026";
}

/** Code points in `text` (what Python's len() and pydantic's max_length count). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * An absolute http(s) URL for `href` read from a page at `base`, or null: relative
 * references are resolved, any other scheme (javascript:, data:, blob:, file:…) is
 * dropped, credentials are removed, and a URL longer than the host takes is dropped
 * rather than cut (a cut URL points elsewhere).
 */
export function cleanUrl(href: unknown, base: URL | string | null | undefined): string | null {
  if (typeof href !== "string") return null;
  const raw = href.replace(STRIP, "").trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = base === null || base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!url.hostname) return null;
  url.username = "";
  url.password = "";
  const out = url.href;
  if (out.length > LIMITS.url || /[\s\u0000-\u001F\u007F]/.test(out)) return null;
  return out;
}

/** The CRM's short name as the host's pattern allows it (`^[a-z0-9_]+$`, ≤ 32), else "generic". */
export function cleanCrm(value: unknown): string {
  const text = typeof value === "string" ? value.toLowerCase().replace(/[^a-z0-9_]/g, "") : "";
  return text.slice(0, LIMITS.crm) || "generic";
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** An email address (a mailto: link's or a field's), or "" when it does not look like one. */
export function cleanEmail(value: unknown): string {
  if (typeof value !== "string") return "";
  let text = value.trim();
  if (/^mailto:/i.test(text)) {
    text = text.slice(7).split("?")[0] ?? "";
    try {
      text = decodeURIComponent(text);
    } catch {
      return "";
    }
  }
  text = cleanText(text, 1000);
  if (codePoints(text) > LIMITS.email || !EMAIL.test(text)) return "";
  return text;
}

/** A phone number as the page wrote it (a tel: link's target or the text), or "". */
export function cleanPhone(value: unknown): string {
  if (typeof value !== "string") return "";
  let text = value.trim();
  if (/^tel:/i.test(text)) {
    text = text.slice(4).split(/[;?]/)[0] ?? "";
    try {
      text = decodeURIComponent(text);
    } catch {
      return "";
    }
  }
  text = cleanText(text, 1000);
  const digits = text.replace(/\D/g, "").length;
  if (digits < 3 || digits > 20 || codePoints(text) > LIMITS.phone) return "";
  return text;
}

/** A contact fit for the host, or null when it has no name left. */
export function clipContact(contact: Partial<SnapshotContact> | null | undefined): SnapshotContact | null {
  if (!contact) return null;
  const name = cleanText(contact.name, LIMITS.name);
  if (!name) return null;
  const out: SnapshotContact = { name };
  const title = cleanText(contact.title, LIMITS.title);
  if (title) out.title = title;
  const role = cleanText(contact.role, LIMITS.role);
  if (role) out.role = role;
  if (typeof contact.canonical_role === "string" && ROLES.includes(contact.canonical_role)) {
    out.canonical_role = contact.canonical_role;
  }
  const phones = clipPhones(contact.phones);
  if (phones.length) out.phones = phones;
  const email = cleanEmail(contact.email);
  if (email) out.email = email;
  return out;
}

function clipPhones(phones: unknown): string[] {
  if (!Array.isArray(phones)) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of phones) {
    const phone = cleanPhone(raw);
    const key = phoneKey(phone);
    if (!phone || seen.has(key)) continue;
    seen.add(key);
    out.push(phone);
    if (out.length >= LIMITS.phones) break;
  }
  return out;
}

/** Digits and a leading +, to tell two spellings of one number apart from two numbers. */
export function phoneKey(phone: string): string {
  return phone.replace(/(?!^\+)\D/g, "");
}

/** `a` with what `b` adds: phones joined, and title, role and email where `a` has none. */
export function mergeContacts(a: SnapshotContact, b: SnapshotContact): SnapshotContact {
  const out: SnapshotContact = { ...a };
  if (!out.title && b.title) out.title = b.title;
  if (!out.role && b.role) out.role = b.role;
  if (!out.canonical_role && b.canonical_role) out.canonical_role = b.canonical_role;
  if (!out.email && b.email) out.email = b.email;
  const phones = clipPhones([...(a.phones ?? []), ...(b.phones ?? [])]);
  if (phones.length) out.phones = phones;
  else delete out.phones;
  return out;
}

/** The key under which one person's entries on a page are merged: the name, case-folded. */
export function contactKey(contact: Pick<SnapshotContact, "name">): string {
  return contact.name.toLocaleLowerCase().normalize("NFKC");
}

/** Contacts cleaned, one entry per person (merged in page order), at most 500. */
export function clipContacts(contacts: Iterable<Partial<SnapshotContact> | null | undefined>): SnapshotContact[] {
  const byKey = new Map<string, SnapshotContact>();
  for (const raw of contacts) {
    const contact = clipContact(raw);
    if (!contact) continue;
    const key = contactKey(contact);
    const seen = byKey.get(key);
    if (seen) byKey.set(key, mergeContacts(seen, contact));
    else if (byKey.size < LIMITS.contacts) byKey.set(key, contact);
  }
  return [...byKey.values()];
}

/** A document link fit for the host, or null (no http(s) URL, or no title and no file name). */
export function clipDocument(
  doc: DocumentInput | null | undefined,
  base: URL | string | null | undefined,
): SnapshotDocument | null {
  if (!doc) return null;
  const url = cleanUrl(doc.url, base);
  if (!url) return null;
  let title = cleanText(doc.title, LIMITS.title);
  if (!title) title = cleanText(fileName(url), LIMITS.title);
  if (!title) return null;
  const out: SnapshotDocument = { title, url };
  const kind = typeof doc.kind === "string" ? doc.kind.toLowerCase().replace(/[^a-z0-9]/g, "") : "";
  if (kind && kind.length <= LIMITS.docKind) out.kind = kind;
  const size = cleanText(doc.size, LIMITS.docSize);
  if (size) out.size = size;
  return out;
}

/** A document as an adapter reads it, before cleaning. */
export interface DocumentInput {
  title?: unknown;
  url?: unknown;
  kind?: unknown;
  size?: unknown;
}

function fileName(url: string): string {
  try {
    const path = new URL(url).pathname;
    const last = path.split("/").filter(Boolean).pop() ?? "";
    return decodeURIComponent(last);
  } catch {
    return "";
  }
}

/** Documents cleaned, one per URL, at most 500. */
export function clipDocuments(
  docs: Iterable<DocumentInput | null | undefined>,
  base: URL | string | null | undefined,
): SnapshotDocument[] {
  const out: SnapshotDocument[] = [];
  const seen = new Set<string>();
  for (const raw of docs) {
    const doc = clipDocument(raw, base);
    if (!doc || seen.has(doc.url)) continue;
    seen.add(doc.url);
    out.push(doc);
    if (out.length >= LIMITS.documents) break;
  }
  return out;
}

/** A record fit for the host, or null when there is no record. */
export function clipRecord(record: Partial<PageRecord> | null | undefined): PageRecord | null {
  if (!record) return null;
  const out: PageRecord = { crm: cleanCrm(record.crm) };
  const instance = cleanText(record.instance, LIMITS.instance);
  if (instance) out.instance = instance;
  const objectType = cleanText(record.object_type, LIMITS.objectType);
  if (objectType) out.object_type = objectType;
  const recordId = cleanText(record.record_id, LIMITS.recordId);
  if (recordId && recordId.length === (record.record_id ?? "").trim().length) out.record_id = recordId;
  const name = cleanText(record.name, LIMITS.name);
  if (name) out.name = name;
  const url = cleanUrl(record.url, null);
  if (url) out.url = url;
  return out;
}

/** A snapshot fit for the host. */
export function clipSnapshot(
  snapshot: {
    crm?: unknown;
    object_type?: unknown;
    record_id?: unknown;
    opportunity_name?: unknown;
    contacts?: Iterable<Partial<SnapshotContact> | null | undefined>;
    documents?: Iterable<DocumentInput | null | undefined>;
    is_deal?: unknown;
    page_key?: unknown;
    deal?: Partial<Record<keyof PageDeal, unknown>> | null;
  },
  base: URL | string | null | undefined,
): PageSnapshot {
  const out: PageSnapshot = { crm: cleanCrm(snapshot.crm) };
  const objectType = cleanText(snapshot.object_type, LIMITS.objectType);
  if (objectType) out.object_type = objectType;
  const rawId = typeof snapshot.record_id === "string" ? snapshot.record_id.trim() : "";
  const recordId = cleanText(rawId, LIMITS.recordId);
  if (recordId && recordId.length === rawId.length) out.record_id = recordId;
  const opportunityName = cleanText(snapshot.opportunity_name, LIMITS.name);
  if (opportunityName) out.opportunity_name = opportunityName;
  const contacts = clipContacts(snapshot.contacts ?? []);
  if (contacts.length) out.contacts = contacts;
  const documents = clipDocuments(snapshot.documents ?? [], base);
  if (documents.length) out.documents = documents;
  if (snapshot.is_deal === true) out.is_deal = true;
  // A key cut short would name another page: one too long is dropped.
  const pageKey = cleanText(snapshot.page_key, LIMITS.pageKey + 1);
  if (pageKey && codePoints(pageKey) <= LIMITS.pageKey) out.page_key = pageKey;
  const deal = clipDeal(snapshot.deal);
  if (deal) out.deal = deal;
  return out;
}

/** Deal fields fit for the host, or null when none is left. */
export function clipDeal(deal: Partial<Record<keyof PageDeal, unknown>> | null | undefined): PageDeal | null {
  if (!deal) return null;
  const out: PageDeal = {};
  const stage = cleanText(deal.stage, LIMITS.stage);
  if (stage) out.stage = stage;
  const amount = cleanText(deal.amount, LIMITS.amount);
  if (amount) out.amount = amount;
  if (typeof deal.currency === "string" && /^[A-Z]{3}$/.test(deal.currency)) out.currency = deal.currency;
  const closeDate = cleanText(deal.close_date, LIMITS.closeDate);
  if (closeDate) out.close_date = closeDate;
  const owner = cleanText(deal.owner, LIMITS.name);
  if (owner) out.owner = owner;
  const account = cleanText(deal.account, LIMITS.name);
  if (account) out.account = account;
  const accountPhone = cleanText(deal.account_phone, LIMITS.phone);
  if (accountPhone) out.account_phone = accountPhone;
  return Object.keys(out).length ? out : null;
}

// ---------------------------------------------------------------------------------
// The host's rules, checked: what `clip*` produce must always pass these.

type Problems = string[];

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string, out: Problems): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) out.push(`${where}: extra field ${key}`);
}

function checkString(value: unknown, max: number, where: string, out: Problems, required = false): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string") {
    out.push(`${where}: not a string`);
    return;
  }
  if (codePoints(value) > max) out.push(`${where}: longer than ${max}`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    out.push(`${where}: unpaired surrogate`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What the host's `PageRecord` would reject in `value` (empty when valid). */
export function recordProblems(value: unknown): Problems {
  const out: Problems = [];
  if (!isObject(value)) return ["record: not an object"];
  checkKeys(value, ["crm", "instance", "object_type", "record_id", "name", "url"], "record", out);
  checkString(value.crm, LIMITS.crm, "record.crm", out, true);
  if (typeof value.crm === "string" && !CRM_PATTERN.test(value.crm)) out.push("record.crm: pattern");
  checkString(value.instance, LIMITS.instance, "record.instance", out);
  checkString(value.object_type, LIMITS.objectType, "record.object_type", out);
  checkString(value.record_id, LIMITS.recordId, "record.record_id", out);
  checkString(value.name, LIMITS.name, "record.name", out);
  checkString(value.url, LIMITS.url, "record.url", out);
  if (typeof value.url === "string" && !/^(https?:\/\/[^\n]*)?$/.test(value.url)) out.push("record.url: pattern");
  return out;
}

/** What the host's `SnapshotContact` would reject in `value`. */
export function contactProblems(value: unknown, where = "contact"): Problems {
  const out: Problems = [];
  if (!isObject(value)) return [`${where}: not an object`];
  checkKeys(value, ["name", "title", "role", "canonical_role", "phones", "email"], where, out);
  if (value.canonical_role !== undefined && !ROLES.includes(value.canonical_role as Role)) {
    out.push(`${where}.canonical_role: not a role`);
  }
  checkString(value.name, LIMITS.name, `${where}.name`, out, true);
  checkString(value.title, LIMITS.title, `${where}.title`, out);
  checkString(value.role, LIMITS.role, `${where}.role`, out);
  checkString(value.email, LIMITS.email, `${where}.email`, out);
  if (value.phones !== undefined) {
    if (!Array.isArray(value.phones)) out.push(`${where}.phones: not a list`);
    else {
      if (value.phones.length > LIMITS.phones) out.push(`${where}.phones: more than ${LIMITS.phones}`);
      value.phones.forEach((p, i) => checkString(p, LIMITS.phone, `${where}.phones[${i}]`, out, true));
    }
  }
  return out;
}

/** What the host's `PageSnapshot` would reject in `value`. */
export function snapshotProblems(value: unknown): Problems {
  const out: Problems = [];
  if (!isObject(value)) return ["snapshot: not an object"];
  checkKeys(
    value,
    ["crm", "object_type", "record_id", "opportunity_name", "contacts", "documents", "is_deal", "page_key", "deal"],
    "snapshot",
    out,
  );
  if (value.is_deal !== undefined && typeof value.is_deal !== "boolean") out.push("snapshot.is_deal: not a boolean");
  checkString(value.page_key, LIMITS.pageKey, "snapshot.page_key", out);
  if (value.deal !== undefined && value.deal !== null) {
    if (!isObject(value.deal)) out.push("snapshot.deal: not an object");
    else {
      const deal = value.deal;
      checkKeys(deal, ["stage", "amount", "currency", "close_date", "owner", "account", "account_phone"], "snapshot.deal", out);
      checkString(deal.stage, LIMITS.stage, "snapshot.deal.stage", out);
      checkString(deal.amount, LIMITS.amount, "snapshot.deal.amount", out);
      checkString(deal.close_date, LIMITS.closeDate, "snapshot.deal.close_date", out);
      checkString(deal.owner, LIMITS.name, "snapshot.deal.owner", out);
      checkString(deal.account, LIMITS.name, "snapshot.deal.account", out);
      checkString(deal.account_phone, LIMITS.phone, "snapshot.deal.account_phone", out);
      if (deal.currency !== undefined && !(typeof deal.currency === "string" && /^([A-Z]{3})?$/.test(deal.currency))) {
        out.push("snapshot.deal.currency: pattern");
      }
    }
  }
  checkString(value.crm, LIMITS.crm, "snapshot.crm", out, true);
  if (typeof value.crm === "string" && !CRM_PATTERN.test(value.crm)) out.push("snapshot.crm: pattern");
  checkString(value.object_type, LIMITS.objectType, "snapshot.object_type", out);
  checkString(value.record_id, LIMITS.recordId, "snapshot.record_id", out);
  checkString(value.opportunity_name, LIMITS.name, "snapshot.opportunity_name", out);
  if (value.contacts !== undefined) {
    if (!Array.isArray(value.contacts)) out.push("snapshot.contacts: not a list");
    else {
      if (value.contacts.length > LIMITS.contacts) out.push("snapshot.contacts: too many");
      value.contacts.forEach((c, i) => out.push(...contactProblems(c, `snapshot.contacts[${i}]`)));
    }
  }
  if (value.documents !== undefined) {
    if (!Array.isArray(value.documents)) out.push("snapshot.documents: not a list");
    else {
      if (value.documents.length > LIMITS.documents) out.push("snapshot.documents: too many");
      value.documents.forEach((d, i) => {
        const where = `snapshot.documents[${i}]`;
        if (!isObject(d)) {
          out.push(`${where}: not an object`);
          return;
        }
        checkKeys(d, ["title", "url", "kind", "size"], where, out);
        checkString(d.kind, LIMITS.docKind, `${where}.kind`, out);
        if (typeof d.kind === "string" && !/^[a-z0-9]*$/.test(d.kind)) out.push(`${where}.kind: pattern`);
        checkString(d.size, LIMITS.docSize, `${where}.size`, out);
        checkString(d.title, LIMITS.title, `${where}.title`, out, true);
        checkString(d.url, LIMITS.url, `${where}.url`, out, true);
        if (typeof d.url === "string" && !/^https?:\/\//.test(d.url)) out.push(`${where}.url: pattern`);
      });
    }
  }
  return out;
}
