// Zoho CRM record pages (Lyte/Crux components). The record is in the URL
// (/crm/<org>/tab/<Module>/<id>; deals are the Potentials module); its name is the
// detail page header's #recHeader1; fields pair a label
// [data-zcqa="dtVw_lbl_<COLUMN>"] with a value under #field_<id>; related lists
// (crm-relatedlist, which carries the record's id) hold Contact Roles and Attachments.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, DEAL_TYPES, documentLinks, findRecordRef, linkTitle, makeRecord, makeSnapshot, type RecordRef } from "./base";
import { clipContact } from "./clip";
import { attr, containsDeep, deepQuery, deepQueryAll, phonesIn, someElement, textOf } from "./dom";
import { markupPersonNear, pagePeople } from "./generic";

// Crux/Lyte components of a record's detail page and their data-zcqa markers.
function isMarker(el: Element): boolean {
  if (el.tagName === "CRUX-DETAILPAGE-HEADER" || el.tagName === "CRM-RELATEDLIST") return true;
  const zcqa = el.getAttribute("data-zcqa");
  if (zcqa !== null && (zcqa.startsWith("dtVw_lbl_") || zcqa.startsWith("secDiv_"))) return true;
  return el.classList.contains("cxDvRecordHeader1");
}

const MODULES: Record<string, string> = {
  potentials: "deal",
  deals: "deal",
  contacts: "contact",
  leads: "lead",
  accounts: "account",
  cases: "case",
  quotes: "quote",
  salesorders: "sales_order",
  invoices: "invoice",
};

const ZOHO_DOMAINS = ["zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zoho.com.cn", "zoho.sa", "zohocloud.ca", "zoho.uk"];

function isZohoHost(host: string): boolean {
  const h = host.toLowerCase();
  return ZOHO_DOMAINS.some((d) => h === `crm.${d}` || h === `crmplus.${d}`);
}

/** The module and id of a Zoho CRM record URL. */
export function parseZohoUrl(u: URL): { objectType: string; recordId: string } | null {
  const m = /^\/crm\/(?:org\d+\/)?tab\/([A-Za-z0-9_]+)\/(\d{6,25})(?:\/|$)/.exec(u.pathname);
  if (!m?.[1] || !m[2]) return null;
  const module = m[1].toLowerCase();
  return { objectType: MODULES[module] ?? module, recordId: m[2] };
}

function recordRef(url: URL, doc: Document): RecordRef | null {
  const ref = findRecordRef(url, doc, parseZohoUrl);
  if (ref) return ref;
  // A related list knows which record it hangs off.
  const list = deepQuery(doc, "crm-relatedlist[cx-prop-record-id]");
  const id = attr(list, "cx-prop-record-id");
  return /^\d{6,25}$/.test(id) ? { objectType: "", recordId: id, url } : null;
}

function recordName(doc: Document): string {
  const header = deepQuery(doc, "#recHeader1, .cxDvRecordHeader1");
  const text = textOf(header, 1000);
  if (text) return text;
  return (doc.title ?? "").replace(/\s*-\s*Zoho CRM.*$/i, "").trim();
}

/** The value shown for a detail field whose label is `label` (case-insensitive). */
function detailValue(doc: Document, label: RegExp): string {
  for (const lbl of deepQueryAll(doc, '[data-zcqa^="dtVw_lbl_"]')) {
    if (!label.test(textOf(lbl, 200).replace(/:$/, ""))) continue;
    const id = lbl.id.replace(/^field_label_/, "");
    const value = id ? doc.getElementById(`field_${id}`) : lbl.nextElementSibling;
    return textOf(value, 1000);
  }
  return "";
}

function relatedListTitle(list: Element): string {
  return textOf(deepQuery(list, ".cxRelatedListTitle, h2, h3"), 200).replace(/\s*\(\d+\)\s*$/, "");
}

function documents(doc: Document, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const list of deepQueryAll(doc, "crm-relatedlist")) {
    if (!/attachments/i.test(relatedListTitle(list) + " " + attr(list, "data-zcqa"))) continue;
    for (const a of deepQueryAll(list, "a[href]")) out.push({ title: linkTitle(a), url: attr(a, "href") });
  }
  out.push(...documentLinks(doc, base));
  return out;
}

/** On a Contacts or Leads page: the person the record is. */
function recordPerson(doc: Document): Partial<SnapshotContact> {
  const phones: string[] = [];
  for (const lbl of deepQueryAll(doc, '[data-zcqa^="dtVw_lbl_"]')) {
    if (/phone|mobile/i.test(textOf(lbl, 100))) {
      const id = lbl.id.replace(/^field_label_/, "");
      const value = id ? doc.getElementById(`field_${id}`) : null;
      if (value) phones.push(...(phonesIn(value).length ? phonesIn(value) : [textOf(value, 100)]));
    }
  }
  return { name: recordName(doc), title: detailValue(doc, /^title$/i), email: detailValue(doc, /^email$/i), phones };
}

export const zoho: CrmAdapter = {
  crm: "zoho",
  matches(url, doc) {
    if (isZohoHost(url.hostname)) return true;
    return someElement(doc, isMarker);
  },
  record(url, doc) {
    return makeRecord("zoho", url, recordRef(url, doc), recordName(doc));
  },
  contactNear(element, doc) {
    const person = markupPersonNear(element);
    if (person) return clipContact(person);
    const ref = recordRef(new URL(doc.URL || "about:blank"), doc);
    if (ref && (ref.objectType === "contact" || ref.objectType === "lead")) {
      const details = deepQueryAll(doc, '[data-zcqa^="secDiv_"], crux-detailpage-header');
      if (details.some((d) => containsDeep(d, element))) return clipContact(recordPerson(doc));
    }
    return null;
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const ref = recordRef(url, doc);
    const people: Partial<SnapshotContact>[] = [];
    if (ref && (ref.objectType === "contact" || ref.objectType === "lead")) people.push(recordPerson(doc));
    people.push(...pagePeople(doc));
    return makeSnapshot("zoho", base, {
      objectType: ref?.objectType ?? "",
      recordId: ref?.recordId ?? "",
      name: DEAL_TYPES.has(ref?.objectType ?? "") ? recordName(doc) : "",
      contacts: people,
      documents: documents(doc, base),
    });
  },
};
