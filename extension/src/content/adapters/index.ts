// Which adapter reads a page, and reading it without ever throwing: a failing adapter
// falls back to the generic one, then to nothing, and what comes out always fits the
// host's models (see clip.ts), since one bad field would make the host refuse the call.

import type { CrmAdapter } from "../adapter";
import type { PageRecord, PageSnapshot, SnapshotContact } from "../../protocol";
import {
  clipContact,
  clipRecord,
  clipSnapshot,
  contactKey,
  contactProblems,
  LIMITS,
  mergeContacts,
  recordProblems,
  snapshotProblems,
} from "./clip";
import { dynamics } from "./dynamics";
import { generic } from "./generic";
import { hubspot } from "./hubspot";
import { pipedrive } from "./pipedrive";
import { salesforce } from "./salesforce";
import { zoho } from "./zoho";
import { enrich } from "../page-deal/index";

/** Every adapter, the CRM-specific ones first and the generic one last. */
export const ADAPTERS: readonly CrmAdapter[] = [salesforce, dynamics, hubspot, zoho, pipedrive, generic];

/** The first adapter whose `matches()` is true (one that throws is skipped); the generic one when none. */
export function adapterFor(url: URL, doc: Document): CrmAdapter {
  for (const adapter of ADAPTERS) {
    try {
      if (adapter.matches(url, doc)) return adapter;
    } catch {
      /* a broken adapter must not stop the others */
    }
  }
  return generic;
}

export interface PageReading {
  record: PageRecord | null;
  snapshot: PageSnapshot | null;
  contact: SnapshotContact | null;
}

const NOTHING: PageReading = { record: null, snapshot: null, contact: null };

/**
 * Never throws. Errors in the chosen adapter fall back to the generic adapter, then to
 * nulls. `near` is the element beside the clicked number; its contact (if any) is
 * `contact` and is first in snapshot.contacts. Output always valid for the host's models.
 */
export function readPage(url: URL, doc: Document, near: Element | null): PageReading {
  let chosen: CrmAdapter = generic;
  try {
    chosen = adapterFor(url, doc);
  } catch {
    /* generic */
  }
  const tries = chosen === generic ? [generic] : [chosen, generic];
  for (const adapter of tries) {
    try {
      return readWith(adapter, url, doc, near);
    } catch {
      /* next */
    }
  }
  return { ...NOTHING };
}

function readWith(adapter: CrmAdapter, url: URL, doc: Document, near: Element | null): PageReading {
  const adapterRecord = clipRecord(adapter.record(url, doc));
  const adapterSnapshot = clipSnapshot(adapter.snapshot(url, doc), url);
  let read = { record: adapterRecord, snapshot: adapterSnapshot };
  try {
    read = enrich(url, doc, adapterRecord, adapterSnapshot);
  } catch {
    /* what the adapter read still stands */
  }
  const record = clipRecord(read.record);
  const snapshot = read.snapshot;
  let contact = near ? clipContact(adapter.contactNear(near, doc)) : null;
  if (record) snapshot.crm = record.crm;

  const others = snapshot.contacts ?? [];
  if (contact) {
    const key = contactKey(contact);
    const same = others.find((c) => contactKey(c) === key);
    if (same) contact = mergeContacts(contact, same);
    snapshot.contacts = [contact, ...others.filter((c) => contactKey(c) !== key)].slice(0, LIMITS.contacts);
  }

  // A last guard: whatever the adapter did, nothing the host would refuse leaves here.
  return {
    record: record && recordProblems(record).length === 0 ? record : null,
    snapshot: snapshotProblems(snapshot).length === 0 ? snapshot : null,
    contact: contact && contactProblems(contact).length === 0 ? contact : null,
  };
}
