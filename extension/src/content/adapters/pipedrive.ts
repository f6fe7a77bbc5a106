// Pipedrive deal, person and organization pages. The record is in the URL
// (/deal/<id>, /person/<id>, /organization/<id>); the deal's name is the header title
// ([data-testid="header-title"] / [data-test="deal-title"]); the deal's contact person
// and its participants are person blocks whose phones are
// [data-test="phone-number-button"]; documents are the deal's Files.

import type { CrmAdapter } from "../adapter";
import type { SnapshotContact } from "../../protocol";
import { baseOf, DEAL_TYPES, documentLinks, findRecordRef, hostIs, linkTitle, makeRecord, makeSnapshot } from "./base";
import { clipContact } from "./clip";
import { attr, closestDeep, deepQuery, deepQueryAll, emailIn, phonesIn, someElement, textOf } from "./dom";
import { markupPersonNear, pagePeople } from "./generic";

// The data-test / data-testid markers of a deal's header and phone buttons, and the detail views.
function isMarker(el: Element): boolean {
  const test = el.getAttribute("data-test");
  if (test === "deal-title" || test === "phone-number-button") return true;
  if (el.getAttribute("data-testid") === "header-title") return true;
  const cls = el.classList;
  return cls.contains("detailView") && (cls.contains("dealDetails") || cls.contains("personDetails"));
}

const PERSON_BLOCK = '[data-test="deal-person"], [data-test="participant-item"], .detailView.personDetails';
const PERSON_LINK = 'a[href*="/person/"]';

/** The object and id of a Pipedrive record URL. */
export function parsePipedriveUrl(u: URL): { objectType: string; recordId: string } | null {
  const m = /^\/(deal|person|organization)\/(\d+)(?:\/|$)/.exec(u.pathname);
  if (!m?.[1] || !m[2]) return null;
  return { objectType: m[1], recordId: m[2] };
}

function recordName(doc: Document): string {
  const title = deepQuery(doc, '[data-test="deal-title"], [data-testid="header-title"] h1, [data-testid="header-title"]');
  const input = title ? deepQuery(title, "textarea, input") : null;
  const text = (input as HTMLTextAreaElement | null)?.value?.trim() || textOf(title, 1000);
  if (text) return text;
  return (doc.title ?? "").replace(/\s*[-|]\s*(deal details|contact details|Pipedrive).*$/i, "").trim();
}

function blockPerson(block: Element): Partial<SnapshotContact> | null {
  const link = deepQuery(block, `[data-test="person-name"], ${PERSON_LINK}`);
  const name = textOf(link, 400) || textOf(deepQuery(block, "h1, h2"), 400);
  if (!name) return null;
  const phones: string[] = [];
  for (const button of deepQueryAll(block, '[data-test="phone-number-button"]')) {
    const href = attr(button, "href");
    phones.push(/^tel:/i.test(href) ? href : textOf(button, 100));
  }
  phones.push(...phonesIn(block));
  const participant = block.matches('[data-test="participant-item"]');
  const main = block.matches('[data-test="deal-person"]');
  return {
    name,
    title: textOf(deepQuery(block, '[data-test="person-job-title"]'), 400),
    role: participant ? "Participant" : main ? "Contact person" : "",
    phones,
    email: emailIn(block),
  };
}

function documents(doc: Document, base: URL): { title: string; url: string }[] {
  const out: { title: string; url: string }[] = [];
  for (const list of deepQueryAll(doc, '[data-test="deal-files"], [data-test="files-list"]')) {
    for (const a of deepQueryAll(list, "a[href]")) out.push({ title: linkTitle(a), url: attr(a, "href") });
  }
  out.push(...documentLinks(doc, base));
  return out;
}

export const pipedrive: CrmAdapter = {
  crm: "pipedrive",
  matches(url, doc) {
    if (hostIs(url.hostname, "pipedrive.com")) return true;
    return someElement(doc, isMarker);
  },
  record(url, doc) {
    const ref = findRecordRef(url, doc, parsePipedriveUrl);
    return makeRecord("pipedrive", url, ref, recordName(doc));
  },
  contactNear(element) {
    const block = closestDeep(element, PERSON_BLOCK);
    if (block) return clipContact(blockPerson(block));
    return clipContact(markupPersonNear(element));
  },
  snapshot(url, doc) {
    const base = baseOf(url, doc);
    const ref = findRecordRef(url, doc, parsePipedriveUrl);
    const people: Partial<SnapshotContact>[] = [];
    for (const block of deepQueryAll(doc, PERSON_BLOCK)) people.push(blockPerson(block) ?? {});
    people.push(...pagePeople(doc));
    return makeSnapshot("pipedrive", base, {
      objectType: ref?.objectType ?? "",
      recordId: ref?.recordId ?? "",
      name: DEAL_TYPES.has(ref?.objectType ?? "") ? recordName(doc) : "",
      contacts: people,
      documents: documents(doc, base),
    });
  },
};
