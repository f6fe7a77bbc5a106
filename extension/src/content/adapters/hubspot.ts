// HubSpot CRM record pages. The record is in the URL
// (/contacts/<portal>/record/<objectTypeId>/<id>: 0-1 contact, 0-2 company, 0-3 deal,
// 0-5 ticket; older pages /contacts/<portal>/deal/<id>); its name is
// [data-selenium-test="highlightTitle"]; people are the association cards
// ("chicklets") of the right sidebar, with job title, association label, email and
// phone; documents are the Attachments card's links.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, DEAL_TYPES, documentLinks, findRecordRef, hostIs, linkTitle, makeRecord, makeSnapshot } from "./base";
import { clipContact } from "./clip";
import { attr, closestDeep, deepQuery, deepQueryAll, emailIn, phonesIn, someElement, textOf } from "./dom";
import { markupPersonNear, pagePeople } from "./generic";

// The data-selenium-test / data-test-id markers of a record page's highlight and sidebars.
function isMarker(el: Element): boolean {
  const selenium = el.getAttribute("data-selenium-test");
  if (selenium !== null) {
    if (selenium === "highlightTitle" || selenium === "contact-chicklet-title-link" || selenium.endsWith("-highlight-details")) {
      return true;
    }
  }
  return (
    el.getAttribute("data-selenium-component") === "ProfileHighlightContainer" ||
    el.getAttribute("data-test-id") === "records-right-sidebar"
  );
}

const OBJECT_TYPES: Record<string, string> = {
  "0-1": "contact",
  "0-2": "company",
  "0-3": "deal",
  "0-5": "ticket",
  "0-7": "product",
  "0-14": "quote",
};

const CONTACT_CARD = '[data-test-id^="chiclet-0-1-"], [data-test-id^="chicklet-0-1-"], [data-selenium-test="chicklet"]';

function isHubSpotHost(host: string): boolean {
  return /^app(-[a-z0-9]+)?\.hubspot\.com$/i.test(host) || hostIs(host, "hubspotqa.com");
}

/** The object and id of a HubSpot record URL. */
export function parseHubSpotUrl(u: URL): { objectType: string; recordId: string } | null {
  let m = /^\/contacts\/\d+\/record\/(\d+-\d+)\/(\d+)(?:\/|$)/.exec(u.pathname);
  if (m?.[1] && m[2]) return { objectType: OBJECT_TYPES[m[1]] ?? m[1], recordId: m[2] };
  m = /^\/contacts\/\d+\/(contact|company|deal|ticket)\/(\d+)(?:\/|$)/.exec(u.pathname);
  if (m?.[1] && m[2]) return { objectType: m[1], recordId: m[2] };
  return null;
}

function recordName(doc: Document): string {
  const title = deepQuery(doc, '[data-selenium-test="highlightTitle"]');
  const text = textOf(title, 1000);
  if (text) return text;
  return (doc.title ?? "").replace(/\s*[|\-–]\s*HubSpot.*$/i, "").trim();
}

/** True when `card` is a contact's card (not a company's or a deal's). */
function isContactCard(card: Element): boolean {
  const id = attr(card, "data-test-id");
  if (/^chic?klet-0-(?!1-)/.test(id)) return false;
  return deepQuery(card, '[data-selenium-test="contact-chicklet-title-link"], [data-test-id="contact-chicklet-title-link"], a[href*="/record/0-1/"]') !== null;
}

function cardPerson(card: Element): Partial<SnapshotContact> | null {
  const link = deepQuery(
    card,
    '[data-selenium-test="contact-chicklet-title-link"], [data-test-id="contact-chicklet-title-link"], [data-test-id="contact-chicklet-title"], a[href*="/record/0-1/"]',
  );
  const name = textOf(link, 400);
  if (!name) return null;
  const title = textOf(deepQuery(card, '[data-selenium-test="contact-chicklet-job-title"], [data-test-id="contact-chicklet-job-title"]'), 400);
  const labels = deepQueryAll(card, '[data-test-id="association-label"], [data-selenium-test="association-label"]').map((l) => textOf(l, 200));
  const phones: string[] = [];
  for (const el of deepQueryAll(card, '[data-selenium-test="contact-chicklet-phone"], [data-test-id="contact-chicklet-phone"]')) {
    const linked = phonesIn(el);
    phones.push(...(linked.length ? linked : [textOf(el, 100)]));
  }
  phones.push(...phonesIn(card));
  const emailEl = deepQuery(card, '[data-selenium-test="contact-chicklet-email"], [data-test-id="contact-chicklet-email"]');
  const email = emailIn(card) || textOf(emailEl, 320);
  return { name, title, role: labels.filter(Boolean).join(", "), phones, email };
}

function documents(doc: Document, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const card of deepQueryAll(doc, '[data-test-id^="card-wrapper-ATTACHMENTS"], [data-test-id="attachments-card"]')) {
    for (const a of deepQueryAll(card, "a[href]")) out.push({ title: linkTitle(a), url: attr(a, "href") });
  }
  out.push(...documentLinks(doc, base));
  return out;
}

export const hubspot: CrmAdapter = {
  crm: "hubspot",
  matches(url, doc) {
    if (isHubSpotHost(url.hostname)) return true;
    return someElement(doc, isMarker);
  },
  record(url, doc) {
    const ref = findRecordRef(url, doc, parseHubSpotUrl);
    return makeRecord("hubspot", url, ref, recordName(doc));
  },
  contactNear(element, doc) {
    const card = closestDeep(element, CONTACT_CARD);
    if (card) return isContactCard(card) ? clipContact(cardPerson(card)) : null;
    if (closestDeep(element, '[data-test-id^="chiclet-"], [data-test-id^="chicklet-"]')) return null;
    const person = markupPersonNear(element);
    if (person) return clipContact(person);
    // On a contact's own page, the numbers in its highlight and properties are that person's.
    const ref = findRecordRef(new URL(doc.URL || "about:blank"), doc, parseHubSpotUrl);
    if (ref?.objectType === "contact" && closestDeep(element, '[data-test-id="left-sidebar"]')) {
      return clipContact({ name: recordName(doc), phones: phonesIn(element) });
    }
    return null;
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const ref = findRecordRef(url, doc, parseHubSpotUrl);
    const people: Partial<SnapshotContact>[] = [];
    for (const card of deepQueryAll(doc, CONTACT_CARD)) {
      if (isContactCard(card)) people.push(cardPerson(card) ?? {});
    }
    people.push(...pagePeople(doc));
    return makeSnapshot("hubspot", base, {
      objectType: ref?.objectType ?? "",
      recordId: ref?.recordId ?? "",
      name: DEAL_TYPES.has(ref?.objectType ?? "") ? recordName(doc) : "",
      contacts: people,
      documents: documents(doc, base),
    });
  },
};
