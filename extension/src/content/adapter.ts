// What a CRM adapter is: one module per CRM that reads, from the page in view, which
// record it shows and a snapshot of what it shows (the deal, the people near the phone
// numbers with their roles, the documents). Adapters only read the DOM; they never
// write to it, and an adapter that throws is isolated by `adapters/index.ts`.

import type { PageRecord, PageSnapshot, SnapshotContact } from "../protocol";

export interface CrmAdapter {
  /** The CRM's short name as the protocol spells it (`PageRecord.crm`). */
  readonly crm: string;
  /**
   * True when `doc` is one of this CRM's pages: by host name, or by the CRM's own DOM
   * markers (so a saved copy of a CRM page served from elsewhere is recognised too).
   */
  matches(url: URL, doc: Document): boolean;
  /** The record in view, or null when the page shows no single record. */
  record(url: URL, doc: Document): PageRecord | null;
  /** The person the page shows beside `element` (a phone number's node), if any. */
  contactNear(element: Element, doc: Document): SnapshotContact | null;
  /** What the page shows: the deal in view, its people with roles, its document links. */
  snapshot(url: URL, doc: Document): PageSnapshot;
}
