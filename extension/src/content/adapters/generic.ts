// Any other page: the main heading (or the title) names the record; people come from
// tables of people, hCards, schema.org Person microdata and JSON-LD; documents are the
// links to document files. Also the fallback for the CRM adapters.
//
// A page that says which record it shows, as schema.org markup (microdata or JSON-LD),
// gives its id and type too: the page's main item (a top-level item, or the
// `mainEntity` of a WebPage) that has an `identifier`. Its type is its `additionalType`
// (a CRM object name such as "Opportunity"), else its own type, lower-cased.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, documentLinks, makeRecord, makeSnapshot } from "./base";
import { clipContact } from "./clip";
import { attr, closestDeep, deepQueryAll, headingOrTitle, parentDeep, phonesIn, textOf, walkElements } from "./dom";
import { contactFromTableRow, contactsFromTables } from "./tables";

type Person = Partial<SnapshotContact>;

// ---------------------------------------------------------------------------------
// hCard (microformats: class="vcard" / "h-card")

const HCARD = ".vcard, .h-card";

function classText(card: Element, classes: string[]): string {
  for (const el of walkElements(card)) {
    if (el === card) continue;
    if (classes.some((c) => el.classList.contains(c))) {
      if (closestDeep(parentDeep(el), HCARD) !== card) continue;
      const text = attr(el, "title") && el.tagName === "ABBR" ? attr(el, "title") : textOf(el, 400);
      if (text) return text;
    }
  }
  return "";
}

function readHCard(card: Element): Person | null {
  let name = classText(card, ["fn", "p-name"]);
  if (!name) {
    const given = classText(card, ["given-name", "p-given-name"]);
    const family = classText(card, ["family-name", "p-family-name"]);
    name = [given, family].filter(Boolean).join(" ");
  }
  if (!name) return null;
  const phones: string[] = [];
  for (const el of walkElements(card)) {
    if (!(el.classList.contains("tel") || el.classList.contains("p-tel"))) continue;
    const href = attr(el, "href");
    if (/^tel:/i.test(href)) phones.push(href);
    else {
      const value = el.querySelector(".value");
      phones.push(textOf(value ?? el, 100));
    }
  }
  for (const phone of phonesIn(card)) if (!phones.includes(phone)) phones.push(phone);
  let email = "";
  for (const el of walkElements(card)) {
    if (el.classList.contains("email") || el.classList.contains("u-email")) {
      email = attr(el, "href") || textOf(el, 320);
      break;
    }
  }
  return {
    name,
    title: classText(card, ["title", "p-job-title"]),
    role: classText(card, ["role", "p-role"]),
    phones,
    email,
  };
}

// ---------------------------------------------------------------------------------
// schema.org Person microdata

const PERSON_SCOPE = '[itemscope][itemtype*="schema.org/Person" i]';

function itemValue(el: Element): string {
  const content = attr(el, "content");
  if (content) return content;
  if (el.tagName === "A" || el.tagName === "LINK") return attr(el, "href");
  if (el.tagName === "META") return attr(el, "content");
  return textOf(el, 400);
}

function itemProps(scope: Element, prop: string): Element[] {
  const out: Element[] = [];
  for (const el of walkElements(scope)) {
    if (el === scope) continue;
    const props = (el.getAttribute("itemprop") ?? "").split(/\s+/);
    if (!props.includes(prop)) continue;
    // Only this item's own properties, not those of an item nested in it.
    if (closestDeep(parentDeep(el), "[itemscope]") === scope) out.push(el);
  }
  return out;
}

function readMicrodataPerson(scope: Element): Person | null {
  const first = (prop: string): string => {
    const el = itemProps(scope, prop)[0];
    return el ? itemValue(el) : "";
  };
  let name = first("name");
  if (!name) name = [first("givenName"), first("familyName")].filter(Boolean).join(" ");
  if (!name) return null;
  return {
    name,
    title: first("jobTitle"),
    role: first("roleName"),
    phones: itemProps(scope, "telephone").map(itemValue),
    email: first("email"),
  };
}

// ---------------------------------------------------------------------------------
// JSON-LD

const MAX_JSONLD_BYTES = 200_000;

function asStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) return value.flatMap(asStrings);
  return [];
}

function isPersonType(type: unknown): boolean {
  return asStrings(type).some((t) => /^(https?:\/\/schema\.org\/)?Person$/i.test(t));
}

function jsonLdPeople(doc: Document): Person[] {
  const out: Person[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 8 || out.length >= 1000 || node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const item of node.slice(0, 1000)) visit(item, depth + 1);
      return;
    }
    const obj = node as Record<string, unknown>;
    if (isPersonType(obj["@type"])) {
      const name =
        asStrings(obj.name)[0] ?? [asStrings(obj.givenName)[0], asStrings(obj.familyName)[0]].filter(Boolean).join(" ");
      if (name) {
        out.push({
          name,
          title: asStrings(obj.jobTitle)[0] ?? "",
          role: asStrings(obj.roleName)[0] ?? "",
          phones: asStrings(obj.telephone),
          email: asStrings(obj.email)[0] ?? "",
        });
      }
    }
    for (const [key, value] of Object.entries(obj)) {
      if (key !== "@context" && typeof value === "object") visit(value, depth + 1);
    }
  };
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json" i]')).slice(0, 50)) {
    const text = script.textContent ?? "";
    if (text.length > MAX_JSONLD_BYTES) continue;
    try {
      visit(JSON.parse(text), 0);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------
// The record the page's schema.org markup names

export interface MarkupRecord {
  objectType: string;
  recordId: string;
  name: string;
}

const PAGE_TYPES = /^(WebPage|ItemPage|ProfilePage|AboutPage|CollectionPage|ContactPage|QAPage|SearchResultsPage)$/i;
const MAX_RECORD_ITEMS = 50;

/** "https://schema.org/Person" → "Person"; "Opportunity" → "Opportunity". */
function typeName(value: string): string {
  const trimmed = value.trim().replace(/[/#]+$/, "");
  return trimmed.split(/[/#]/).pop() ?? "";
}

function objectTypeOf(additional: string, types: string[]): string {
  const name = typeName(additional) || types.map(typeName).find(Boolean) || "";
  return name.toLowerCase().replace(/\s+/g, "_");
}

/** An identifier as schema.org writes it: text, a number, or a PropertyValue's value. */
function identifierOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const id = identifierOf(item);
      if (id) return id;
    }
    return "";
  }
  if (value && typeof value === "object") return identifierOf((value as Record<string, unknown>).value);
  return "";
}

function microdataTypes(scope: Element): string[] {
  return attr(scope, "itemtype").split(/\s+/).filter(Boolean);
}

function microdataRecord(scope: Element, depth = 0): MarkupRecord | null {
  const first = (prop: string): Element | undefined => itemProps(scope, prop)[0];
  const types = microdataTypes(scope);
  if (depth < 2 && types.some((t) => PAGE_TYPES.test(typeName(t)))) {
    const main = first("mainEntity");
    if (main && main.hasAttribute("itemscope")) return microdataRecord(main, depth + 1);
  }
  const idEl = first("identifier");
  let recordId = "";
  if (idEl) {
    recordId = idEl.hasAttribute("itemscope")
      ? (() => {
          const value = itemProps(idEl, "value")[0];
          return value ? itemValue(value) : "";
        })()
      : itemValue(idEl);
  }
  if (!recordId) return null;
  const additional = first("additionalType");
  const nameEl = first("name");
  return {
    objectType: objectTypeOf(additional ? itemValue(additional) : "", types),
    recordId,
    name: nameEl ? itemValue(nameEl) : "",
  };
}

function jsonLdRecord(node: unknown, depth = 0): MarkupRecord | null {
  if (depth > 3 || node === null || typeof node !== "object" || Array.isArray(node)) return null;
  const obj = node as Record<string, unknown>;
  const types = asStrings(obj["@type"]);
  if (types.some((t) => PAGE_TYPES.test(typeName(t))) && obj.mainEntity) {
    const main = jsonLdRecord(obj.mainEntity, depth + 1);
    if (main) return main;
  }
  const recordId = identifierOf(obj.identifier);
  if (!recordId) return null;
  return {
    objectType: objectTypeOf(asStrings(obj.additionalType)[0] ?? "", types),
    recordId,
    name: asStrings(obj.name)[0] ?? "",
  };
}

/** The record the page's schema.org markup names (microdata first, then JSON-LD), if any. */
export function markupRecord(doc: Document): MarkupRecord | null {
  let seen = 0;
  for (const scope of deepQueryAll(doc, "[itemscope]")) {
    if (scope.hasAttribute("itemprop")) continue; // a property of another item, not a top-level one
    if (++seen > MAX_RECORD_ITEMS) break;
    const found = microdataRecord(scope);
    if (found) return found;
  }
  for (const script of Array.from(doc.querySelectorAll('script[type="application/ld+json" i]')).slice(0, 50)) {
    const text = script.textContent ?? "";
    if (text.length > MAX_JSONLD_BYTES) continue;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      continue;
    }
    const roots = Array.isArray(data) ? data : [data];
    for (const root of roots.slice(0, MAX_RECORD_ITEMS)) {
      const graph = root && typeof root === "object" ? (root as Record<string, unknown>)["@graph"] : undefined;
      for (const item of Array.isArray(graph) ? graph.slice(0, MAX_RECORD_ITEMS) : [root]) {
        const found = jsonLdRecord(item);
        if (found) return found;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------

/** People in the page's own markup: tables of people, hCards, microdata and JSON-LD Persons. */
export function pagePeople(doc: Document): Person[] {
  const people: Person[] = [];
  people.push(...contactsFromTables(doc));
  for (const card of deepQueryAll(doc, HCARD)) {
    const person = readHCard(card);
    if (person) people.push(person);
  }
  for (const scope of deepQueryAll(doc, PERSON_SCOPE)) {
    const person = readMicrodataPerson(scope);
    if (person) people.push(person);
  }
  people.push(...jsonLdPeople(doc));
  return people;
}

/** The person beside `element` by the page's own markup: its table row, hCard or Person item. */
export function markupPersonNear(element: Element): Person | null {
  const row = contactFromTableRow(element);
  if (row) return row;
  const card = closestDeep(element, HCARD);
  if (card) {
    const person = readHCard(card);
    if (person) return person;
  }
  const scope = closestDeep(element, PERSON_SCOPE);
  if (scope) return readMicrodataPerson(scope);
  return null;
}

export const generic: CrmAdapter = {
  crm: "generic",
  matches: () => true,
  record(url, doc) {
    const item = markupRecord(doc);
    const ref = item ? { objectType: item.objectType, recordId: item.recordId } : null;
    return makeRecord("generic", url, ref, item?.name || headingOrTitle(doc));
  },
  contactNear(element) {
    return clipContact(markupPersonNear(element));
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const item = markupRecord(doc);
    return makeSnapshot("generic", base, {
      objectType: item?.objectType,
      recordId: item?.recordId,
      name: item ? item.name || headingOrTitle(doc) : undefined,
      contacts: pagePeople(doc),
      documents: documentLinks(doc, base),
    });
  },
};
