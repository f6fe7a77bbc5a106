// Salesforce Lightning Experience record pages. The record is in the URL
// (/lightning/r/<Object>/<id>/view); its name is the highlights panel's heading; people
// are in related lists (Contact Roles: Name, Role, Title, Phone…), rendered by LWC
// inside shadow trees, which every read here enters; documents are the Files and
// Notes & Attachments related lists.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, DEAL_TYPES, documentLinks, findRecordRef, hostIs, linkTitle, makeRecord, makeSnapshot } from "./base";
import { clipContact } from "./clip";
import { attr, closestDeep, containsDeep, deepQuery, deepQueryAll, phonesIn, someElement, textOf } from "./dom";
import { markupPersonNear, pagePeople } from "./generic";

// Elements Lightning renders on record pages (their hosts may sit in shadow trees).
const MARKER_TAGS = new Set([
  "ONE-RECORD-HOME-FLEXIPAGE2",
  "RECORDS-LWC-HIGHLIGHTS-PANEL",
  "FORCE-HIGHLIGHTS2",
  "RECORDS-HIGHLIGHTS2",
  "RECORDS-RECORD-LAYOUT-ITEM",
  "LST-RELATED-LIST-SINGLE-CONTAINER",
  "LST-RELATED-LIST-CONTAINER",
  "FLEXIPAGE-RECORD-HOME-TEMPLATE-DESKTOP2",
]);

function isMarker(el: Element): boolean {
  return MARKER_TAGS.has(el.tagName);
}

const HIGHLIGHTS = "records-lwc-highlights-panel, force-highlights2, records-highlights2";

// Key prefixes of the standard objects a record id starts with, for URLs that omit the object.
const KEY_PREFIXES: Record<string, string> = {
  "001": "account",
  "003": "contact",
  "005": "user",
  "006": "opportunity",
  "00Q": "lead",
  "500": "case",
  "701": "campaign",
  "800": "contract",
  "0Q0": "quote",
};

const ID = "[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?";

function isSalesforceHost(host: string): boolean {
  return hostIs(host, "lightning.force.com") || hostIs(host, "my.salesforce.com");
}

/** The object and id in a Lightning (or Classic) record URL. */
export function parseSalesforceUrl(u: URL): { objectType: string; recordId: string } | null {
  const path = u.pathname;
  let m = new RegExp(`^/lightning/r/(?:([A-Za-z0-9_]+)/)?(${ID})(?:/|$)`).exec(path);
  if (m?.[2]) {
    const object = m[1] ?? KEY_PREFIXES[m[2].slice(0, 3)] ?? "";
    return { objectType: object.toLowerCase(), recordId: m[2] };
  }
  if (isSalesforceHost(u.hostname)) {
    m = new RegExp(`^/(${ID})(?:/|$)`).exec(path);
    if (m?.[1]) return { objectType: KEY_PREFIXES[m[1].slice(0, 3)] ?? "", recordId: m[1] };
  }
  return null;
}

/** The record's name as the highlights panel heads it. */
function recordName(doc: Document): string {
  const panel = deepQuery(doc, HIGHLIGHTS);
  const h1 = panel ? deepQuery(panel, "h1") : null;
  if (h1) {
    const primary = deepQuery(h1, 'slot[name="primaryField"], [slot="primaryField"], lightning-formatted-text, lightning-formatted-name');
    const text = textOf(primary ?? h1, 1000);
    const label = textOf(deepQuery(h1, "records-entity-label, .entityNameTitle"), 200);
    if (text) return primary || !label ? text : text.replace(label, "").trim();
  }
  // The layout's own name field: a record's name before any lookup's ("Account Name").
  const items = deepQueryAll(doc, "records-record-layout-item");
  for (const wanted of [/^(opportunity name|name|full name|case subject|subject)$/i, /^(account name|company)$/i]) {
    for (const item of items) {
      if (!wanted.test(attr(item, "field-label"))) continue;
      const value = fieldValue(item);
      if (value) return value;
    }
  }
  return (doc.title ?? "").replace(/\s*\|\s*Salesforce\s*$/i, "").replace(/\s*\|\s*[^|]*$/, "").trim();
}

/** The value a record layout item shows, without its label. */
function fieldValue(item: Element): string {
  const value = deepQuery(item, ".test-id__field-value, [data-output-element-id='output-field'], .slds-form-element__control");
  return textOf(value, 1000);
}

/** The title of the related list `el` is in ("Contact Roles", "Files"…), or "". */
function relatedListTitle(el: Element): string {
  const list = closestDeep(el, "article, lst-related-list-single-container, lst-related-list-view-manager");
  if (!list) return "";
  const aria = attr(list, "aria-label");
  if (aria) return aria;
  const heading = deepQuery(list, ".slds-card__header-title, h2");
  return textOf(heading, 200).replace(/\s*\(\d+\+?\)\s*$/, "");
}

function documents(doc: Document, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const a of deepQueryAll(doc, "a[href]")) {
    const href = attr(a, "href");
    const isFile =
      /\/lightning\/r\/(ContentDocument\/)?069[a-zA-Z0-9]{12,15}(\/|$)/.test(href) ||
      /\/sfc\/servlet\.shepherd\/(document|version)\//.test(href) ||
      /\/servlet\/servlet\.FileDownload\?/.test(href);
    const inFilesList = /^(files|notes (&|and) attachments|attachments)$/i.test(relatedListTitle(a));
    if (isFile || (inFilesList && !/\/lightning\/r\/(User|Contact|Account)\//.test(href))) {
      out.push({ title: linkTitle(a), url: href });
    }
  }
  out.push(...documentLinks(doc, base));
  return out;
}

/** The record in view as a person (a Contact or Lead page), read from its highlights and layout. */
function recordPerson(doc: Document): Partial<SnapshotContact> | null {
  const name = recordName(doc);
  if (!name) return null;
  let title = "";
  let email = "";
  const phones: string[] = [];
  for (const item of deepQueryAll(doc, "records-record-layout-item, records-highlights-details-item")) {
    const label = attr(item, "field-label") || textOf(deepQuery(item, ".test-id__field-label, .slds-text-title"), 100);
    if (/^title$/i.test(label)) title = fieldValue(item) || title;
    if (/^email$/i.test(label)) email = fieldValue(item) || email;
    phones.push(...phonesIn(item));
  }
  return { name, title, email, phones };
}

export const salesforce: CrmAdapter = {
  crm: "salesforce",
  matches(url, doc) {
    if (isSalesforceHost(url.hostname)) return true;
    return someElement(doc, isMarker);
  },
  record(url, doc) {
    const ref = findRecordRef(url, doc, parseSalesforceUrl);
    return makeRecord("salesforce", url, ref, recordName(doc));
  },
  contactNear(element, doc) {
    const person = markupPersonNear(element);
    if (person) return clipContact(person);
    // On a Contact or Lead page, a number in the record's own fields is that person's.
    const ref = findRecordRef(new URL(doc.URL || "about:blank"), doc, parseSalesforceUrl);
    const type = ref?.objectType ?? "";
    if (type === "contact" || type === "lead") {
      const own = deepQueryAll(doc, `${HIGHLIGHTS}, records-record-layout-item`);
      if (own.some((el) => containsDeep(el, element))) return clipContact(recordPerson(doc));
    }
    return null;
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const ref = findRecordRef(url, doc, parseSalesforceUrl);
    const name = recordName(doc);
    const people = pagePeople(doc);
    if (ref && (ref.objectType === "contact" || ref.objectType === "lead")) {
      const self = recordPerson(doc);
      if (self) people.unshift(self);
    }
    return makeSnapshot("salesforce", base, {
      objectType: ref?.objectType ?? "",
      recordId: ref?.recordId ?? "",
      name: DEAL_TYPES.has(ref?.objectType ?? "") ? name : "",
      contacts: people,
      documents: documents(doc, base),
    });
  },
};
