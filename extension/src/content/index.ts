// The content script on the CRM sites the user enabled: scans the page for phone
// numbers, puts a call button beside each, follows the page as it changes, and places
// the call through the background with the record in view and a snapshot of the page.
// Injected once per frame; injected again after a site is re-enabled, it wakes the
// instance already there instead of starting a second one.

import type { CountryCode } from "libphonenumber-js/max";
import { readPage } from "./adapters/index";
import { formatNumber } from "../shared/phone/format";
import { defaultRegion } from "../shared/phone/region";
import { currentRegion } from "../shared/settings";
import { PageScanner, type SlicedScan } from "./scanner";
import { shownText } from "./click-guard";
import { PageWatcher } from "./watcher";
import { hideToast, showToast, toastsShown, toastText } from "./toast";
import {
  parseBackgroundMessage,
  sendPageToBackground,
  sendToBackground,
  type PagePlaceCall,
  type PlaceReply,
  type ScanStats,
} from "../shared/page-messages";

interface PageController {
  enable(): void;
}

declare global {
  // eslint-disable-next-line no-var
  var __rolecallPage: PageController | undefined;
}

/** The longest the page's main thread is ours at a time during a full scan. */
const SLICE_MS = 10;
/** The same while the page is parsed, in each frame (the page's own work goes on too). */
const PARSING_SLICE_MS = 6;

class PageSession implements PageController {
  private scanner: PageScanner | null = null;
  private watcher: PageWatcher | null = null;
  private enabled = false;
  private readonly stats = {
    firstScanMs: null as number | null,
    firstScanWallMs: null as number | null,
    firstScanLongestSliceMs: null as number | null,
    buttonsLiveMs: null as number | null,
    lastBatchMs: null as number | null,
    lastBatchNodes: 0,
    batches: 0,
    fullScans: 0,
    navigations: 0,
  };

  constructor(private readonly doc: Document) {
    chrome.runtime.onMessage.addListener((raw: unknown, sender, reply: (answer: ScanStats) => void) => {
      if (sender.id !== chrome.runtime.id || sender.tab) return undefined; // the background only
      const message = parseBackgroundMessage(raw);
      if (!message) return undefined;
      if (message.type === "rolecall:disable") this.disable();
      else if (message.type === "rolecall:toast") showToast(this.doc, message.kind, message.text);
      else reply(this.report());
      return undefined;
    });
    this.doc.addEventListener("input", (event) => this.onInput(event), true);
    this.doc.addEventListener("change", (event) => this.onInput(event), true);
  }

  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    // The scan starts at once with the browser's region, which is the region unless the
    // user chose another in the options: reading the setting takes a trip to storage,
    // and the first buttons should not wait for it. A different setting means a rescan
    // (the numbers written with a country code keep their buttons).
    this.start(defaultRegion(null, navigator.languages ?? [navigator.language]), this.doc.readyState === "loading");
    void currentRegion().then((region) => {
      if (!this.enabled || !this.scanner?.setRegion(region)) return;
      if (this.firstScanDone) this.rescan();
      else this.rescanDue = true;
    });
  }

  private firstScanDone = false;
  private rescanDue = false;

  /** Scans the whole page again, stopping a full scan under way. */
  private rescan(): void {
    const scanner = this.scanner;
    const watcher = this.watcher;
    if (!scanner || !watcher) return;
    this.stopScan();
    this.stopScan = scanner.scanInSlices(
      this.doc,
      SLICE_MS,
      () => {
        this.stats.fullScans += 1;
      },
      () => watcher.discardOwn(),
    );
  }

  private start(region: CountryCode | undefined, loading = false): void {
    this.firstScanDone = false;
    this.rescanDue = false;
    const watcher = new PageWatcher(window, {
      scanBatch: (nodes) => this.timed(() => nodes.forEach((node) => scanner.scan(node)), nodes.length),
      scanAll: () => this.rescan(),
      onNavigate: () => {
        this.stats.navigations += 1;
      },
    });
    const scanner = new PageScanner({
      region,
      activate: (button, target, anchor) => void this.call(button, target, anchor),
      onShadowRoot: (root) => watcher.watch(root),
    });
    this.scanner = scanner;
    this.watcher = watcher;
    if (loading) {
      // Started with the document: the rows are read as they are parsed, a frame at a
      // time; the full scan (and the watcher) start once the page is parsed.
      const stopEarly = scanner.scanWhileParsing(this.doc, PARSING_SLICE_MS);
      this.stopScan = () => void stopEarly();
      this.doc.addEventListener(
        "DOMContentLoaded",
        () => {
          const early = stopEarly();
          if (this.scanner === scanner) this.fullScan(scanner, watcher, early);
        },
        { once: true },
      );
    } else this.fullScan(scanner, watcher, null);
  }

  private fullScan(scanner: PageScanner, watcher: PageWatcher, early: SlicedScan | null): void {
    watcher.watch(this.doc);
    const started = performance.now();
    this.stopScan = scanner.scanInSlices(
      this.doc,
      SLICE_MS,
      (timing) => {
        this.stats.firstScanMs = timing.workMs + (early?.workMs ?? 0);
        this.stats.firstScanWallMs = timing.wallMs + (early?.wallMs ?? 0);
        this.stats.firstScanLongestSliceMs = Math.max(timing.longestSliceMs, early?.longestSliceMs ?? 0);
        this.firstScanDone = true;
        if (this.rescanDue) {
          this.rescanDue = false;
          this.rescan();
        }
        this.stats.buttonsLiveMs = performance.now() - started; // each button is whole when it goes in
      },
      () => watcher.discardOwn(), // what a slice changed is no news to the watcher
      early?.resumeAt ?? null, // what was read while parsing, and is unchanged, is not read again
    );
  }

  private stopScan: () => void = () => undefined;
  /** Clicks that placed calls, to name each call's page when it follows (the prefix
   * keeps a script started again in the same tab from reusing a name). */
  private clicks = 0;
  private readonly clickPrefix = Math.random().toString(36).slice(2, 10) || "p";

  private disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.stopScan();
    this.watcher?.stop();
    this.scanner?.removeAll(this.doc);
    this.watcher = null;
    this.scanner = null;
    hideToast();
  }

  private onInput(event: Event): void {
    const target = event.composedPath()[0];
    if (this.scanner && target instanceof HTMLInputElement) {
      this.scanner.scanInput(target);
      this.watcher?.flush();
    }
  }

  private timed(run: () => void, nodes: number): void {
    const started = performance.now();
    run();
    this.stats.batches += 1;
    this.stats.lastBatchMs = performance.now() - started;
    this.stats.lastBatchNodes = nodes;
  }

  private report(): ScanStats {
    return {
      url: location.href,
      buttons: this.scanner?.countButtons(this.doc) ?? 0,
      textNodesSeen: this.scanner?.textNodesSeen ?? 0,
      enabled: this.enabled,
      toast: toastText(),
      ...this.stats,
    };
  }

  private async call(button: HTMLElement, target: string, anchor: Node): Promise<void> {
    // The call goes out first; the page is read while it does, and follows it.
    const click = `${this.clickPrefix}-${++this.clicks}`;
    const request: PagePlaceCall = { type: "rolecall:place", target, record: null, snapshot: null, click, ...shownText(anchor) };
    const sent = sendToBackground(request);
    const near = anchor.nodeType === Node.ELEMENT_NODE ? (anchor as Element) : anchor.parentElement;
    const page = readPage(new URL(location.href), this.doc, near ?? button);
    sendPageToBackground({ type: "rolecall:page", click, record: page.record, snapshot: page.snapshot });
    const display = target.startsWith("+") ? formatNumber(target) : target;
    showToast(this.doc, "info", `Calling ${display}…`);
    const calling = toastsShown();
    let reply: PlaceReply | undefined;
    try {
      reply = await sent;
    } catch (err) {
      reply = { ok: false, error: { code: "unavailable", message: `Rolecall is not reachable (${String(err)})` } };
    }
    if (!reply || typeof reply !== "object") {
      reply = { ok: false, error: { code: "unavailable", message: "Rolecall did not answer" } };
    }
    if (reply.ok === "confirm") {
      showToast(this.doc, "info", `Confirm the call to ${reply.display || display} in Rolecall's panel.`);
    } else if (reply.ok) {
      // News of the call (it failed already) may have come first: keep that on screen.
      if (toastsShown() === calling) showToast(this.doc, "info", `Calling ${reply.display || display}…`);
    } else showToast(this.doc, "error", `Call to ${display} failed: ${reply.error.message}`);
  }
}

function boot(): void {
  if (globalThis.__rolecallPage) {
    globalThis.__rolecallPage.enable();
  } else {
    const session = new PageSession(document);
    globalThis.__rolecallPage = session;
    session.enable();
  }
}

// Started as the document starts, the scan reads the page as it is parsed, a frame at
// a time, and scans it whole once parsed; started into a page already loaded, it scans
// it whole at once.
boot();
