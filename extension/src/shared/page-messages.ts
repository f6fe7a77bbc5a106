// Messages between a CRM page's content script and the background (runtime messaging),
// and the validation the background applies to what a content script sends. The page
// itself cannot send these; the checks guard against a content script fed odd input.

import { isPlainObject, type ErrorInfo, type PageRecord, type PageSnapshot } from "../protocol/index";

// ---- content script → background ----------------------------------------------------

/** Place a call to `target` (E.164 or a SIP URI) from the page in view. */
export interface PagePlaceCall {
  type: "rolecall:place";
  target: string;
  record: PageRecord | null;
  snapshot: PageSnapshot | null;
}

export type PageToBackground = PagePlaceCall;

export type PlaceReply =
  | { ok: true; callId: string; display: string }
  | { ok: false; error: Pick<ErrorInfo, "code" | "message"> };

// ---- background → content script ----------------------------------------------------

/** Remove every button and stop scanning: the user disabled this site. */
export interface PageDisable {
  type: "rolecall:disable";
}

/** Show a short message on the page. */
export interface PageToast {
  type: "rolecall:toast";
  kind: "info" | "error";
  text: string;
}

/** Answer with the scanner's counters and timings (tests and benchmarks). */
export interface PageStatsRequest {
  type: "rolecall:stats";
}

export type BackgroundToPage = PageDisable | PageToast | PageStatsRequest;

/** What a content script reports of its scanning. */
export interface ScanStats {
  url: string;
  buttons: number;
  /** The first full scan's main-thread time, all its slices together. */
  firstScanMs: number | null;
  /** The first full scan from start to end, the pauses between its slices included. */
  firstScanWallMs: number | null;
  /** The longest the first full scan held the main thread at once. */
  firstScanLongestSliceMs: number | null;
  /** From the first scan's start until every button's UI is built (in idle time). */
  buttonsLiveMs: number | null;
  lastBatchMs: number | null;
  lastBatchNodes: number;
  batches: number;
  fullScans: number;
  navigations: number;
  textNodesSeen: number;
  enabled: boolean;
  /** The message shown on the page now, if any. */
  toast: string | null;
}

const MAX_TARGET = 256;

/**
 * Validates a message from a content script: the shape only, with the target's length
 * bounded. Whether the target is dialable, and whether record and snapshot fit the
 * protocol, is checked again by the background and by the host.
 */
export function parsePageMessage(value: unknown): PageToBackground | null {
  if (!isPlainObject(value) || value.type !== "rolecall:place") return null;
  for (const key of Object.keys(value)) {
    if (!["type", "target", "record", "snapshot"].includes(key)) return null;
  }
  const { target, record, snapshot } = value;
  if (typeof target !== "string" || target.length === 0 || target.length > MAX_TARGET) return null;
  if (record !== null && record !== undefined && !isPlainObject(record)) return null;
  if (snapshot !== null && snapshot !== undefined && !isPlainObject(snapshot)) return null;
  return {
    type: "rolecall:place",
    target,
    record: (record ?? null) as PageRecord | null,
    snapshot: (snapshot ?? null) as PageSnapshot | null,
  };
}

/** Validates a message from the background, as the content script receives it. */
export function parseBackgroundMessage(value: unknown): BackgroundToPage | null {
  if (!isPlainObject(value)) return null;
  if (value.type === "rolecall:disable" || value.type === "rolecall:stats") {
    return { type: value.type };
  }
  if (value.type === "rolecall:toast") {
    const { kind, text } = value;
    if ((kind !== "info" && kind !== "error") || typeof text !== "string") return null;
    return { type: "rolecall:toast", kind, text: text.slice(0, 300) };
  }
  return null;
}
