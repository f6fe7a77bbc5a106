// Dynamics 365 / Power Apps model-driven apps (Unified Interface). The record is in the
// URL (main.aspx?…&pagetype=entityrecord&etn=<entity>&id=<guid>); its name is the form
// header's h1[data-id="header_title"]; fields are controls whose data-id is
// "<attribute>.fieldControl-…" (quick view forms prefix it with the quick view's name);
// people are in subgrids (role=grid: Stakeholders, connections, contacts) and quick view
// forms of a contact; documents are links in the Documents (SharePoint) grid and notes.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, DEAL_TYPES, documentLinks, findRecordRef, makeRecord, makeSnapshot } from "./base";
import { clipContact } from "./clip";
import { attr, closestDeep, deepQuery, deepQueryAll, emailIn, phonesIn, someElement, textOf, valueOf, walkElements } from "./dom";
import { markupPersonNear, pagePeople } from "./generic";

// The Unified Interface's data-id markers of a form, a subgrid or a field control.
function isMarker(el: Element): boolean {
  const id = el.getAttribute("data-id");
  if (id !== null) {
    if (id === "form-header" || id === "header_title" || id === "editFormRoot") return true;
    if (id.endsWith("-QuickFormContainer") || id.includes(".fieldControl-")) return true;
  }
  return el.id.startsWith("dataSetRoot_");
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

function isDynamicsHost(host: string): boolean {
  return /(^|\.)crm\d*\.dynamics\.com$/i.test(host) || /(^|\.)crm\d*\.microsoftdynamics\.(de|us)$/i.test(host);
}

/** The entity and id of a model-driven app record URL (the parameters may sit in the hash too). */
export function parseDynamicsUrl(u: URL): { objectType: string; recordId: string } | null {
  const params = new URLSearchParams(u.search);
  if (u.hash.includes("=")) {
    for (const [k, v] of new URLSearchParams(u.hash.replace(/^#/, ""))) if (!params.has(k)) params.set(k, v);
  }
  const etn = params.get("etn") ?? "";
  const id = GUID.exec(params.get("id") ?? "")?.[1];
  if (!id || !/^[a-z][a-z0-9_]*$/i.test(etn)) return null;
  const pageType = params.get("pagetype");
  if (pageType && pageType !== "entityrecord") return null;
  return { objectType: etn.toLowerCase(), recordId: id.toLowerCase() };
}

/** The record's name: the form header's title, without the "- Saved" status after it. */
function recordName(doc: Document): string {
  const h1 = deepQuery(doc, '[data-id="header_title"]');
  if (h1) {
    const title = attr(h1, "title");
    if (title) return title;
    let text = "";
    for (const node of Array.from(h1.childNodes)) {
      if (node.nodeType === 1 && attr(node as Element, "data-id") === "header_saveStatus") continue;
      text += node.textContent ?? "";
    }
    return text.replace(/\s*-\s*(Saved|Unsaved|Read-only|Gespeichert|Enregistré|Guardado)\s*$/i, "").replace(/\s+/g, " ").trim();
  }
  const name = deepQuery(doc, '[data-id="name.fieldControl-text-box-text"], [data-id="fullname.fieldControl-text-box-text"]');
  return valueOf(name);
}

/**
 * The control for `attribute`: in a quick view form, data-ids carry the form's name
 * ("contactquickview.telephone1.fieldControl-…"); on the main form they do not, and a
 * composite name control spells its parts "fullname_compositionLinkControl_lastname".
 */
function field(container: Element | Document, attribute: string): Element | null {
  const quick = isElement(container);
  for (const el of walkElements(isElement(container) ? container : container.documentElement)) {
    const id = attr(el, "data-id");
    const at = id.indexOf(".fieldControl");
    if (at < 0) continue;
    const path = id.slice(0, at).split(".");
    if (!quick && path.length > 1) continue;
    const name = (path.pop() ?? "").replace(/^.*_compositionLinkControl_/, "");
    if (name === attribute && /^(INPUT|TEXTAREA|SELECT|A|DIV|SPAN)$/.test(el.tagName)) return el;
  }
  return null;
}

function isElement(node: Element | Document): node is Element {
  return node.nodeType === 1;
}

const PHONE_ATTRIBUTES = ["telephone1", "telephone2", "telephone3", "mobilephone", "address1_telephone1"];

/** The contact a quick view form (or a contact's own form) shows. */
function formPerson(container: Element | Document): Partial<SnapshotContact> | null {
  let name = valueOf(field(container, "fullname"));
  if (!name) name = [valueOf(field(container, "firstname")), valueOf(field(container, "lastname"))].filter(Boolean).join(" ");
  if (!name) return null;
  const phones = PHONE_ATTRIBUTES.map((a) => valueOf(field(container, a))).filter(Boolean);
  if (isElement(container)) phones.push(...phonesIn(container));
  return {
    name,
    title: valueOf(field(container, "jobtitle")),
    email: valueOf(field(container, "emailaddress1")) || (isElement(container) ? emailIn(container) : ""),
    phones,
  };
}

function quickViews(doc: Document): Element[] {
  return deepQueryAll(doc, '[data-id$="-QuickFormContainer"]');
}

/** True when a quick view form shows a contact (it has a person's name field). */
function isPersonQuickView(container: Element): boolean {
  return field(container, "fullname") !== null || field(container, "lastname") !== null;
}

function documents(doc: Document, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  // The Documents grid (SharePoint document management) links each file by its name.
  for (const root of deepQueryAll(doc, '[id^="dataSetRoot_"]')) {
    if (!/document/i.test(root.id)) continue;
    for (const a of deepQueryAll(root, "a[href]")) out.push({ title: textOf(a, 400) || attr(a, "title"), url: attr(a, "href") });
  }
  out.push(...documentLinks(doc, base));
  return out;
}

export const dynamics: CrmAdapter = {
  crm: "dynamics",
  matches(url, doc) {
    if (isDynamicsHost(url.hostname)) return true;
    return someElement(doc, isMarker);
  },
  record(url, doc) {
    const ref = findRecordRef(url, doc, parseDynamicsUrl);
    return makeRecord("dynamics", url, ref, recordName(doc));
  },
  contactNear(element, doc) {
    const person = markupPersonNear(element);
    if (person) return clipContact(person);
    const quick = closestDeep(element, '[data-id$="-QuickFormContainer"]');
    if (quick) return isPersonQuickView(quick) ? clipContact(formPerson(quick)) : null;
    // On a contact's or lead's own form, its phone fields are that person's.
    const ref = findRecordRef(new URL(doc.URL || "about:blank"), doc, parseDynamicsUrl);
    if (ref && (ref.objectType === "contact" || ref.objectType === "lead")) {
      const id = attr(closestDeep(element, '[data-id*=".fieldControl"]'), "data-id");
      const name = (id.split(".fieldControl")[0] ?? "").replace(/^.*_compositionLinkControl_/, "");
      if (PHONE_ATTRIBUTES.includes(name)) return clipContact(formPerson(doc));
    }
    return null;
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const ref = findRecordRef(url, doc, parseDynamicsUrl);
    const people: Partial<SnapshotContact>[] = [];
    if (ref && (ref.objectType === "contact" || ref.objectType === "lead")) people.push(formPerson(doc) ?? {});
    for (const quick of quickViews(doc)) if (isPersonQuickView(quick)) people.push(formPerson(quick) ?? {});
    people.push(...pagePeople(doc));
    return makeSnapshot("dynamics", base, {
      objectType: ref?.objectType ?? "",
      recordId: ref?.recordId ?? "",
      name: DEAL_TYPES.has(ref?.objectType ?? "") ? recordName(doc) : "",
      contacts: people,
      documents: documents(doc, base),
    });
  },
};
