// Messages between a CRM page's content script and the background (runtime messaging),
// the typed senders for both directions, and the validation each side applies to what
// it receives. The page itself cannot send these; the checks guard against a content
// script fed odd input.

import { isPlainObject, type ErrorInfo, type PageRecord, type PageSnapshot } from "../protocol/index";

// ---- content script → background ----------------------------------------------------

/** Place a call to `target` (E.164 or a SIP URI) from the page in view. */
export interface PagePlaceCall {
  type: "rolecall:place";
  target: string;
  record: PageRecord | null;
  snapshot: PageSnapshot | null;
  /** For a tel:/callto:/sip: link: the text it shows, which may name another number. */
  shown?: string;
  /** Names this click, when the page's record and snapshot follow in a `rolecall:page`. */
  click?: string;
}

/**
 * The page a call was placed from, sent just after the `rolecall:place` of the same
 * `click`: the call goes out first, and reading the page does not hold it up.
 */
export interface PageOfCall {
  type: "rolecall:page";
  click: string;
  record: PageRecord | null;
  snapshot: PageSnapshot | null;
}

export type PageToBackground = PagePlaceCall | PageOfCall;

export type PlaceReply =
  | { ok: true; callId: string; display: string }
  /** Not dialled yet: the user is asked in the panel first. */
  | { ok: "confirm"; display: string }
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
  if (!isPlainObject(value)) return null;
  if (value.type === "rolecall:page") return parsePageOf(value);
  if (value.type !== "rolecall:place") return null;
  for (const key of Object.keys(value)) {
    if (!["type", "target", "record", "snapshot", "shown", "click"].includes(key)) return null;
  }
  const { target, record, snapshot, shown, click } = value;
  if (shown !== undefined && (typeof shown !== "string" || shown.length > MAX_TARGET)) return null;
  if (typeof target !== "string" || target.length === 0 || target.length > MAX_TARGET) return null;
  if (click !== undefined && !isClickId(click)) return null;
  if (!isPageShape(record, snapshot)) return null;
  return {
    type: "rolecall:place",
    target,
    record: (record ?? null) as PageRecord | null,
    snapshot: (snapshot ?? null) as PageSnapshot | null,
    ...(typeof shown === "string" ? { shown } : {}),
    ...(typeof click === "string" ? { click } : {}),
  };
}

function parsePageOf(value: Record<string, unknown>): PageOfCall | null {
  for (const key of Object.keys(value)) {
    if (!["type", "click", "record", "snapshot"].includes(key)) return null;
  }
  const { click, record, snapshot } = value;
  if (!isClickId(click) || !isPageShape(record, snapshot)) return null;
  return {
    type: "rolecall:page",
    click,
    record: (record ?? null) as PageRecord | null,
    snapshot: (snapshot ?? null) as PageSnapshot | null,
  };
}

/** A page's record and snapshot, each absent or an object (their fields are the host's to check). */
function isPageShape(record: unknown, snapshot: unknown): boolean {
  return (record == null || isPlainObject(record)) && (snapshot == null || isPlainObject(snapshot));
}

function isClickId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(value);
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

// ---- senders ---------------------------------------------------------------------------

/** Content script → background: asks for a call; the background's reply (undefined: none came). */
export function sendToBackground(message: PagePlaceCall): Promise<PlaceReply | undefined> {
  return chrome.runtime.sendMessage<PageToBackground, PlaceReply | undefined>(message);
}

/** Content script → background: the page of a call asked for; nothing is answered. */
export function sendPageToBackground(message: PageOfCall): void {
  chrome.runtime.sendMessage<PageToBackground, undefined>(message).catch(() => undefined);
}

/** Background → a tab's content script (frame 0 when `options` says so); rejects when none listens. */
export async function sendToPage(
  tabId: number,
  message: PageDisable | PageToast,
  options?: chrome.tabs.MessageSendOptions,
): Promise<void> {
  if (options) await chrome.tabs.sendMessage<BackgroundToPage>(tabId, message, options);
  else await chrome.tabs.sendMessage<BackgroundToPage>(tabId, message);
}

/** Background → the content script of a tab's top frame: its scanning counters. */
export function requestPageStats(tabId: number): Promise<ScanStats> {
  return chrome.tabs.sendMessage<PageStatsRequest, ScanStats>(tabId, { type: "rolecall:stats" }, { frameId: 0 });
}
