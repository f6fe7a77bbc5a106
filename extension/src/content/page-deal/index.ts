// The deal on the page in view, on any CRM: which record the URL names (url-schemes.ts),
// the deal's name and fields, its people with their roles mapped to ours, and its
// documents. `enrich` adds this to what a CRM adapter read, filling what it lacks; a page
// that is not one deal (a list, search results) gives no deal, and its numbers still call.

import type { CountryCode } from "libphonenumber-js/max";
import type { PageRecord, PageSnapshot, SnapshotContact } from "../../protocol";
import { DEAL_TYPES, baseOf } from "../adapters/base";
import { deepQueryAll, pageUrls, textOf } from "../adapters/dom";
import { clipContacts, clipDeal, clipDocuments, clipSnapshot, LIMITS } from "../adapters/clip";
import { defaultRegion } from "../../shared/phone/region";
import { pageDocuments } from "./documents";
import { CHROME, dealFields, labelledValues, recordName } from "./fields";
import { peopleFromCards, peopleFromLabels, peopleFromRows, peopleFromSubforms } from "./people";
import { canonicalRole, roleInTitle } from "./roles";
import { identify } from "./url-schemes";

export { identify } from "./url-schemes";
export { canonicalRole } from "./roles";

function regionOf(doc: Document): CountryCode | undefined {
  const langs = [doc.documentElement?.getAttribute("lang") ?? ""];
  if (typeof navigator !== "undefined") langs.push(...(navigator.languages ?? []));
  return defaultRegion(null, langs.filter(Boolean));
}

/** True when a heading of the page (not the title) shows `name`. */
function headingNamed(doc: Document, name: string): boolean {
  return deepQueryAll(doc, "h1, h2, h3").some((h) => !h.closest(CHROME) && textOf(h, 400) === name);
}

/** True when `name` is the app's: a heading in its navigation or banner. */
function chromeNamed(doc: Document, name: string): boolean {
  return deepQueryAll(doc, "h1, h2, h3").some((h) => !!h.closest(CHROME) && textOf(h, 400) === name);
}

/** A person with their role mapped: a role inside the title is taken out of it. */
export function withRole(person: Partial<SnapshotContact>): Partial<SnapshotContact> {
  const out = { ...person };
  if (!out.role && out.title) {
    const inTitle = roleInTitle(out.title);
    if (inTitle) {
      out.title = inTitle.title;
      out.role = inTitle.role;
    }
  }
  const role = canonicalRole(out.role);
  if (role) out.canonical_role = role;
  return out;
}

/** `snapshot` and `record` with what the page shows that the adapter did not read. */
export function enrich(
  url: URL,
  doc: Document,
  record: PageRecord | null,
  snapshot: PageSnapshot,
): { record: PageRecord | null; snapshot: PageSnapshot } {
  // The page's own URL, else the CRM address a saved copy names.
  const ids = pageUrls(url, doc).map(identify);
  const id = ids.find((i) => i.crm !== "generic") ?? ids[0]!;
  const base = baseOf(url, doc);
  const values = labelledValues(doc);
  const region = regionOf(doc);
  const objectType = snapshot.object_type || id.objectType;
  const recordId = snapshot.record_id || id.recordId;
  const single = id.single || !!snapshot.record_id;
  const fields = single ? clipDeal(dealFields(values, doc.documentElement?.getAttribute("lang") ?? "")) : null;
  const knownDeal = DEAL_TYPES.has(objectType);
  const unknownType = !objectType || objectType === "item";
  const isDeal = single && (knownDeal || (unknownType && !!fields && (!!fields.stage || !!fields.amount)));
  const name = isDeal ? snapshot.opportunity_name || recordName(doc) : "";

  const people = [
    ...(snapshot.contacts ?? []),
    ...peopleFromRows(doc, region),
    ...peopleFromLabels(values, region),
    ...peopleFromSubforms(doc, region),
    ...peopleFromCards(doc, region),
  ].map(withRole);

  const out = clipSnapshot(
    {
      crm: snapshot.crm === "generic" && id.crm !== "generic" ? id.crm : snapshot.crm,
      object_type: objectType,
      record_id: recordId,
      opportunity_name: name,
      contacts: clipContacts(people).slice(0, LIMITS.contacts),
      documents: [...clipDocuments(pageDocuments(doc, base), base), ...(snapshot.documents ?? [])],
      is_deal: isDeal,
      page_key: id.key,
      deal: isDeal ? fields : null,
    },
    base,
  );
  let rec = record;
  if (rec) {
    rec = { ...rec };
    if (rec.crm === "generic" && id.crm !== "generic") rec.crm = out.crm;
    if (!rec.record_id && recordId) rec.record_id = out.record_id ?? "";
    if (!rec.object_type && objectType) rec.object_type = out.object_type ?? "";
    // The window's title (or its first part: "Sale Opportunity | Odoo") names the app or
    // the view, not the record: the record's name field or heading does.
    const title = (doc.title ?? "").replace(/\s+/g, " ").trim();
    const fromTitle =
      !!rec.name &&
      ((!!title && title.startsWith(rec.name) && !headingNamed(doc, rec.name)) || chromeNamed(doc, rec.name));
    const better = recordName(doc);
    if (better && (!rec.name || fromTitle)) rec.name = better;
    else if (fromTitle) delete rec.name;
  }
  return { record: rec, snapshot: out };
}
