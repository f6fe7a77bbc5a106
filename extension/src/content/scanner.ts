// Finds the phone numbers in a part of the page and puts one call button right after
// each: after a number in text (splitting the text node where the number ends), after
// a tel:/callto:/sip: link, after a phone input. Scanning is idempotent: a number that
// already has its button is left alone, a button whose number changed is replaced, a
// button whose number went away is removed. Skips scripts, styles, editable regions,
// form fields other than phone inputs, and our own UI; walks into open shadow roots.

import type { CountryCode } from "libphonenumber-js";
import { BUTTON_TAG, buttonTarget, createCallButton, isCallButton, listenForButtonsAt } from "./button";
import { TOAST_TAG } from "./toast";
import { dialableFromText } from "../shared/phone/dialable";
import { isPhoneFieldLabel } from "../shared/phone/field-labels";
import { dialableFromHref } from "../shared/phone/links";
import { mayHoldNumber } from "../shared/phone/prefilter";
import { findNumbersInText, shownNumber } from "../shared/phone/text-search";
import type { Dialable, FoundNumber } from "../shared/phone/types";

/** Elements whose content is never scanned. */
const SKIPPED = new Set([
  "SCRIPT",
  "STYLE",
  "NOSCRIPT",
  "TEMPLATE",
  "TEXTAREA",
  "SELECT",
  "OPTION",
  "IFRAME",
  "OBJECT",
  "EMBED",
  "CANVAS",
  "VIDEO",
  "AUDIO",
  "HEAD",
  "TITLE",
  "svg",
  "SVG",
  "MATH",
  BUTTON_TAG.toUpperCase(),
  TOAST_TAG.toUpperCase(),
]);

/**
 * Reading time after which the numbers found so far get their buttons at once (the top
 * of the page, what a first load shows), before the rest of the page is read.
 */
const FIRST_BATCH_MS = 4;

/** A step after which the scan starts a new slice (what it just did gets one of its own). */
const PAINT = "paint";
/**
 * A step after which the scan waits for the page's next frame before it goes on: the
 * buttons just shown are then painted at once, not after the slices that follow (the
 * browser may let tasks run for 100 ms before it renders).
 */
const FRAME = "frame";
type Step = typeof PAINT | typeof FRAME | undefined;
/** The longest wait for a frame (a tab hidden meanwhile gets none). */
const FRAME_WAIT_MS = 100;

/** Texts walked (or elements looked at) between two chances to pause. */
const WALK_STEP = 256;
/** Texts given their buttons between two chances to pause. */
const APPLY_STEP = 64;

const ShadowRootType = globalThis.ShadowRoot;

export interface SlicedScan {
  /** From the scan's start to its end, pauses included. */
  wallMs: number;
  /** The main thread's time spent scanning. */
  workMs: number;
  longestSliceMs: number;
  slices: number;
  /**
   * Reading while the page was parsed: the first text it did not read, when the page
   * before it is as it was read (the full scan then starts there), else null.
   */
  resumeAt?: Text | null;
}

/**
 * Runs `run` as a new task soon: after whatever input and rendering is waiting, but
 * without waiting for idle time (which comes once a frame and would stretch a scan of
 * a hundred slices over seconds).
 */
function nextSlice(run: () => void): void {
  if (typeof MessageChannel === "undefined") {
    setTimeout(run, 0);
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    run();
  };
  channel.port2.postMessage(null);
}

/** Runs `run` as a task after `doc`'s next frame (at once when the page is not shown). */
function afterFrame(doc: Document, run: () => void): void {
  const view = doc.defaultView;
  if (!view || doc.visibilityState !== "visible" || typeof view.requestAnimationFrame !== "function") {
    nextSlice(run);
    return;
  }
  let ran = false;
  const once = (): void => {
    if (ran) return;
    ran = true;
    clearTimeout(timer);
    nextSlice(run); // a task queued in the frame runs once the frame is done
  };
  const timer = setTimeout(once, FRAME_WAIT_MS);
  view.requestAnimationFrame(once);
}

/** Elements handled themselves: phone links and inputs. */
const HANDLED_SELECTOR = [
  'a[href^="tel:" i]',
  'a[href^="callto:" i]',
  'a[href^="sip:" i]',
  'a[href^="sips:" i]',
  "input",
].join(", ");

const LINK_SCHEMES = /^\s*(?:tel|callto|sips?):/i;

export type Activate = (button: HTMLElement, target: string, anchor: Node) => void;

export interface ScannerOptions {
  region: CountryCode | undefined;
  activate: Activate;
  /** Told of each open shadow root found, so it can be watched for changes too. */
  onShadowRoot?: (root: ShadowRoot) => void;
}

/** A button's anchor, the anchor's text when the button was made (a change means a rescan), the region's epoch. */
interface Made {
  anchor: Node;
  text: string | null;
  epoch: number;
}

interface Split {
  head: Text;
  tail: Text;
}

export class PageScanner {
  buttons = 0;
  textNodesSeen = 0;
  private readonly shadowRoots = new Set<ShadowRoot>();
  private readonly splits: Split[] = [];
  /** What each button was made for (one map, not one per field: a thousand buttons). */
  private readonly made = new WeakMap<HTMLElement, Made>();
  /** Bumped when the region changes: a button made before is read again on the next scan. */
  private epoch = 0;
  /**
   * Buttons made and not in the page yet, by the node each goes after: put in together,
   * so the page is laid out once for them.
   */
  private readonly unshown = new Map<Node, HTMLElement>();

  constructor(private readonly options: ScannerOptions) {}

  /** One function for every button (a closure each would cost memory per number). */
  private readonly activateHost = (host: HTMLElement): void => {
    const target = buttonTarget(host);
    if (target) this.options.activate(host, target, this.made.get(host)?.anchor ?? host);
  };

  /**
   * Reads numbers without a country code as numbers of `region` from now on. True when
   * it changed: the caller scans again so the buttons already made are read again.
   */
  setRegion(region: CountryCode | undefined): boolean {
    if (region === this.options.region) return false;
    this.options.region = region;
    this.epoch += 1;
    return true;
  }

  /** Open shadow roots met so far. */
  get roots(): ReadonlySet<ShadowRoot> {
    return this.shadowRoots;
  }

  /** Scans `node` and everything under it (a text node, an element, a document, a root). */
  scan(node: Node): void {
    const steps = this.work(node);
    while (!steps.next().done) {
      // all at once
    }
    this.showMade();
  }

  /**
   * While `doc` is being parsed: at each frame, reads the texts parsed since the last
   * one, for at most `sliceMs`, and shows their buttons in that same frame's layout (a
   * frame's callbacks run before it lays the page out), so the first buttons are painted
   * with the first rows. The last text of the document is left for later: the parser
   * may still be writing it. Returns a function that stops it and tells the time spent.
   */
  scanWhileParsing(doc: Document, sliceMs: number): () => SlicedScan {
    const timing: SlicedScan = { wallMs: 0, workMs: 0, longestSliceMs: 0, slices: 0 };
    const view = doc.defaultView;
    if (!view || typeof view.requestAnimationFrame !== "function") return () => timing;
    const started = performance.now();
    const walker = doc.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
    // The last text found so far: read once another follows it (the walker stays on it
    // when there is none yet, and goes on from it at the next frame).
    let held: Text | null = null;
    // Every text read, in order, as it was read: the page up to `held` must still say
    // exactly this for what was read to stand (see `resumeAt`).
    let read = "";
    let handle = 0;
    const frame = (): void => {
      if (doc.readyState !== "loading") return;
      const from = performance.now();
      let seen = 0;
      for (;;) {
        const next = walker.nextNode() as Text | null;
        if (!next) break;
        const text = held;
        held = next;
        if (!text) continue;
        seen += 1;
        const data = text.data;
        read += data;
        if (mayHoldNumber(data) && !this.excluded(text.parentElement)) this.scanText(text);
        if (seen % 64 === 0 && performance.now() - from >= sliceMs) break;
      }
      this.textNodesSeen += seen;
      this.showMade();
      const took = performance.now() - from;
      timing.slices += 1;
      timing.workMs += took;
      timing.longestSliceMs = Math.max(timing.longestSliceMs, took);
      handle = view.requestAnimationFrame(frame);
    };
    handle = view.requestAnimationFrame(frame);
    return () => {
      view.cancelAnimationFrame(handle);
      const from = performance.now();
      this.showMade();
      timing.resumeAt = held && read ? unchangedUpTo(doc, held, read) : null;
      read = ""; // a third of the page's text: not kept past its one use
      timing.workMs += performance.now() - from;
      timing.wallMs = performance.now() - started;
      return timing;
    };
  }

  /** Shows the buttons made since the last time. */
  private showMade(): void {
    for (const [anchor, button] of this.unshown) {
      const parent = anchor.parentNode;
      const made = this.made.get(button);
      // A text changed since it was read is read again (the watcher heard it), and its
      // button made anew then.
      if (!parent || (anchor.nodeType === Node.TEXT_NODE && made?.text !== (anchor as Text).data)) {
        this.buttons -= 1;
        continue;
      }
      const next = anchor.nextSibling;
      if (isCallButton(next)) {
        next.remove(); // one the page put back (undo, a copied node): ours replaces it
        this.buttons -= 1;
      }
      parent.insertBefore(button, anchor.nextSibling);
    }
    this.unshown.clear();
  }

  /**
   * Scans `node` in slices of about `sliceMs` of the main thread each, at idle time, so
   * a page with thousands of rows is never held up for long; `done` hears how long the
   * whole scan took and its longest slice. Returns a function that stops the scan.
   */
  scanInSlices(
    node: Node,
    sliceMs: number,
    done: (timing: SlicedScan) => void,
    afterSlice: () => void = () => undefined,
    from: Text | null = null,
  ): () => void {
    const steps = this.work(node, from);
    const doc = node.ownerDocument ?? (node as Document);
    const started = performance.now();
    const timing: SlicedScan = { wallMs: 0, workMs: 0, longestSliceMs: 0, slices: 0 };
    let stopped = false;
    const slice = (): void => {
      if (stopped) return;
      const from = performance.now();
      let finished = false;
      let frame = false;
      while (performance.now() - from < sliceMs) {
        const step = steps.next();
        if (step.done) {
          finished = true;
          break;
        }
        if (step.value === PAINT) break;
        if (step.value === FRAME) {
          frame = true;
          break;
        }
      }
      if (finished) this.showMade();
      afterSlice();
      const took = performance.now() - from;
      timing.slices += 1;
      timing.workMs += took;
      timing.longestSliceMs = Math.max(timing.longestSliceMs, took);
      if (finished) {
        timing.wallMs = performance.now() - started;
        done(timing);
      } else if (frame) {
        afterFrame(doc, slice);
      } else {
        nextSlice(slice);
      }
    };
    slice();
    return () => {
      stopped = true;
      this.showMade(); // what the stopped scan made is not left hidden
    };
  }

  /** The scan as small steps: it yields between them, so it can pause anywhere. */
  private *work(node: Node, from: Text | null = null): Generator<Step, void, void> {
    if (node.nodeType === Node.TEXT_NODE) {
      this.textNodesSeen += 1;
      if (!this.excluded(node.parentElement)) this.scanText(node as Text);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const element = node as Element;
      if (isCallButton(element) || this.excluded(element.parentElement)) return;
      const handled = this.scanElement(element);
      if (handled instanceof ShadowRootType) yield* this.work(handled);
      else if (handled === "skip") return;
    } else if (node.nodeType !== Node.DOCUMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
      return;
    }
    const root = node as Element | Document | ShadowRoot;
    const doc = node.ownerDocument ?? (node as Document);
    if (doc.designMode === "on") return; // the whole document is being edited
    // Text in document order, with no filter callback (a callback per node costs more
    // than the rest of the scan): the cheap test picks the few texts that may hold a
    // number, and only those have their ancestors checked and are read. What is read is
    // written in two batches: the top of the page (what is in view on a first load) as
    // soon as a few milliseconds of reading found some numbers, then everything else at
    // the end. Each batch of buttons makes the page lay itself out again, which costs as
    // much on a big table as the whole scan, so a scan writes in as few frames as it can.
    // `from`: the texts before it were read while the page was parsed, and are unchanged.
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const start = from?.isConnected && root.contains(from) ? from : null;
    if (start) walker.currentNode = start;
    const readings: [Text, string, FoundNumber[]][] = [];
    const started = performance.now();
    let early = true;
    let seen = 0;
    for (let next = start ?? walker.nextNode(); next; next = walker.nextNode()) {
      seen += 1;
      const text = next as Text;
      if (mayHoldNumber(text.data) && !this.excluded(text.parentElement)) {
        const found = this.detectText(text);
        if (found) readings.push([text, text.data, found]);
      } else if (seen % WALK_STEP !== 0) continue;
      if (early && readings.length > 0 && performance.now() - started >= FIRST_BATCH_MS) {
        early = false;
        // Buttons go in after texts already walked: the walk goes on where it stood.
        this.applyReadings(readings.splice(0));
        this.showMade();
        yield FRAME;
      } else yield;
      // The page may have removed where the walk stood: walk again from the top
      // (scanning is idempotent, so texts seen twice cost only time).
      if (!walker.currentNode.isConnected && walker.currentNode !== root) walker.currentNode = root;
    }
    this.textNodesSeen += seen;
    let applied = 0;
    for (const [text, data, found] of readings) {
      if (text.isConnected) this.applyText(text, data, found);
      if (++applied % APPLY_STEP === 0) yield;
    }
    yield PAINT; // showing a thousand buttons takes a few milliseconds: a slice of its own
    this.showMade();
    yield FRAME;
    for (const element of Array.from(root.querySelectorAll(HANDLED_SELECTOR))) {
      if (element.isConnected && !this.excluded(element.parentElement)) this.scanElement(element);
    }
    yield;
    this.recheckButtons(root);
    yield;
    for (const hosts of possibleHosts(root)) {
      for (let i = 0; i < hosts.length; i += 1) {
        const element = hosts[i]!;
        const shadow = element.shadowRoot;
        if (shadow && !this.shadowRoots.has(shadow) && !this.excluded(element)) {
          const found = this.scanElement(element);
          if (found instanceof ShadowRootType) yield* this.work(found);
        }
        if (i % WALK_STEP === WALK_STEP - 1) yield;
      }
      yield; // each list is found by a walk of its own: a pause between them
    }
  }

  private applyReadings(readings: [Text, string, FoundNumber[]][]): void {
    for (const [text, data, found] of readings) if (text.isConnected) this.applyText(text, data, found);
  }

  /** Buttons whose anchor changed or went: made right again (or removed). */
  private recheckButtons(root: Element | Document | ShadowRoot): void {
    for (const button of Array.from(root.querySelectorAll(BUTTON_TAG))) {
      if (!isCallButton(button)) continue;
      const made = this.made.get(button);
      const anchor = made?.anchor;
      if (!anchor || button.previousSibling !== anchor) {
        button.remove();
        this.buttons -= 1;
        if (anchor?.isConnected) this.scan(anchor);
      } else if (anchor.nodeType === Node.TEXT_NODE && made?.text !== (anchor as Text).data) {
        this.scanText(anchor as Text);
      }
    }
  }

  /** Removes every button and joins the text nodes that were split for them. */
  removeAll(doc: Document): void {
    const roots: (Document | ShadowRoot)[] = [doc, ...this.shadowRoots];
    for (const root of roots) {
      for (const button of Array.from(root.querySelectorAll(BUTTON_TAG))) {
        if (isCallButton(button)) button.remove();
      }
    }
    // Latest first: a text node split twice is joined back in the order it was cut.
    for (const { head, tail } of this.splits.reverse()) {
      if (head.nextSibling === tail && head.isConnected) {
        head.appendData(tail.data);
        tail.remove();
      }
    }
    this.splits.length = 0;
    this.unshown.clear();
    this.buttons = 0;
  }

  /** Counts the buttons in the page (and its open shadow roots) now. */
  countButtons(doc: Document): number {
    let count = 0;
    for (const root of [doc, ...this.shadowRoots]) {
      for (const button of Array.from(root.querySelectorAll(BUTTON_TAG))) if (isCallButton(button)) count += 1;
    }
    return count;
  }

  /**
   * "skip" when nothing under `element` is to be scanned (it may be handled itself); its
   * open shadow root when it has one not seen before (the caller scans it).
   */
  private scanElement(element: Element): "skip" | "descend" | ShadowRoot {
    const tag = element.tagName;
    if (SKIPPED.has(tag) || isCallButton(element)) return "skip";
    if (editable(element) === true) return "skip";
    const shadow = element.shadowRoot;
    if (shadow && !this.shadowRoots.has(shadow)) {
      this.shadowRoots.add(shadow);
      this.options.onShadowRoot?.(shadow);
      return shadow; // a host's light DOM shows only through its slots, scanned in the root
    }
    if (tag === "A") {
      const href = element.getAttribute("href");
      if (href && LINK_SCHEMES.test(href)) {
        this.place(element, dialableFromHref(href, this.options.region));
        return "skip"; // its text is the same number: one button for the link
      }
      return "descend";
    }
    if (tag === "INPUT") {
      this.readInput(element as HTMLInputElement);
      return "skip";
    }
    return "descend";
  }

  /** True when `element` is inside something never scanned (an editable region, say). */
  private excluded(element: Element | null): boolean {
    for (let at = element; at; at = at.parentElement) {
      if (SKIPPED.has(at.tagName) || isCallButton(at)) return true;
      if (at.tagName === "A" && LINK_SCHEMES.test(at.getAttribute("href") ?? "")) return true;
      const state = editable(at);
      if (state !== null) return state;
    }
    return element?.ownerDocument.designMode === "on";
  }

  /** A phone input gets a button while its value is a number; re-run when it changes. */
  scanInput(input: HTMLInputElement): void {
    this.readInput(input);
    this.showMade();
  }

  private readInput(input: HTMLInputElement): void {
    if (!isPhoneInput(input)) return;
    this.place(input, input.value ? dialableFromText(input.value, this.options.region) : null);
  }

  private scanText(text: Text): void {
    const found = this.detectText(text);
    if (found) this.applyText(text, text.data, found);
  }

  /** The numbers in `text`, or null when its button is already right. */
  private detectText(text: Text): FoundNumber[] | null {
    const data = text.data;
    const next = text.nextSibling;
    const made = isCallButton(next) ? this.made.get(next) : undefined;
    if (made && made.text === data && made.anchor === text && made.epoch === this.epoch) return null;
    return mayHoldNumber(data) ? findNumbersInText(data, this.options.region) : [];
  }

  /** Puts the buttons for `found` (the numbers of `data`) into `text`. */
  private applyText(text: Text, data: string, found: FoundNumber[]): void {
    if (text.data !== data) {
      this.scanText(text); // changed since it was read: read it again
      return;
    }
    const last = found[found.length - 1];
    if (!last || last.end !== data.length) this.place(text, null); // drops a stale button
    // Left to right: each number's text ends where it is cut, and its button goes there.
    let node = text;
    let offset = 0;
    for (const match of found) {
      const end = match.end - offset;
      const tail = end < node.data.length ? node.splitText(end) : null;
      if (tail) this.splits.push({ head: node, tail });
      this.place(node, { target: match.e164, e164: match.e164, display: shownNumber(data, match) });
      if (!tail) break;
      node = tail;
      offset = match.end;
    }
  }

  /**
   * Makes sure the node right after `anchor` is a button for `dialable` (or that there
   * is no button of ours there when `dialable` is null).
   */
  private place(anchor: Node, dialable: Dialable | null): void {
    const waiting = this.unshown.get(anchor);
    if (waiting) {
      if (dialable && buttonTarget(waiting) === dialable.target) return;
      this.unshown.delete(anchor);
      this.buttons -= 1;
    }
    const next = anchor.nextSibling;
    const existing = isCallButton(next) ? next : null;
    if (existing && dialable && buttonTarget(existing) === dialable.target) return;
    if (existing) {
      existing.remove();
      this.buttons -= 1;
    }
    if (!dialable || !anchor.parentNode) return;
    const doc = anchor.ownerDocument ?? document;
    listenForButtonsAt(anchor, this.activateHost);
    const button = createCallButton(doc, dialable.target, dialable.display);
    const text = anchor.nodeType === Node.TEXT_NODE ? (anchor as Text).data : null;
    this.made.set(button, { anchor, text, epoch: this.epoch });
    this.unshown.set(anchor, button);
    this.buttons += 1;
  }
}

/**
 * `until` when the document's text before it is `read` (what was read there while the
 * page was parsed, in order), else null. Page scripts may have changed what was read
 * before DOMContentLoaded; the document's own text of that stretch, one native read,
 * tells whether they did. Changes that leave the text alone are what the rest of the full
 * scan looks at anyway: links and inputs, shadow roots, and every button's anchor.
 */
function unchangedUpTo(doc: Document, until: Text, read: string): Text | null {
  if (!until.isConnected) return null;
  const range = doc.createRange();
  range.setStart(doc, 0);
  range.setEndBefore(until);
  const now = range.toString();
  range.detach();
  return now === read ? until : null;
}

/**
 * Elements that can have a shadow root (the HTML standard's list for attachShadow, and
 * custom elements, whose names have a hyphen). Looking only at these spares the others
 * (table cells and rows, links, list items...) a script object each, which the page
 * would keep as long as it keeps the element: 600 KB on a table of 5,000 rows.
 */
const SHADOW_CAPABLE = [
  "article",
  "aside",
  "blockquote",
  "body",
  "div",
  "footer",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "main",
  "nav",
  "p",
  "section",
  "span",
];
const SHADOW_CAPABLE_SELECTOR = SHADOW_CAPABLE.join(",");
/** Custom elements, less our own buttons (a thousand of them on a big page, never a page's host). */
const CUSTOM_ELEMENTS = `descendant::*[contains(local-name(), '-') and local-name() != '${BUTTON_TAG}' and local-name() != '${TOAST_TAG}']`;

/**
 * The elements under `root` that may have a shadow root, a list at a time (one tag's
 * elements, then the custom elements): each list is found by one quick walk in the
 * browser (a selector naming all the tags at once costs more than these together).
 */
function* possibleHosts(root: Element | Document | ShadowRoot): Generator<ArrayLike<Element>, void, void> {
  if (root.nodeType === Node.DOCUMENT_NODE) {
    for (const tag of SHADOW_CAPABLE) yield (root as Document).getElementsByTagName(tag);
  } else {
    // Under an element (rows added later, a thousand of them) a live list per tag would
    // stay cached on that element as long as it lives: one static list instead.
    yield root.querySelectorAll(SHADOW_CAPABLE_SELECTOR);
  }
  const doc = root.ownerDocument ?? (root as Document);
  if (root.nodeType !== Node.DOCUMENT_FRAGMENT_NODE && typeof doc.evaluate === "function") {
    try {
      const found = doc.evaluate(CUSTOM_ELEMENTS, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      yield Array.from({ length: found.snapshotLength }, (_, i) => found.snapshotItem(i) as Element);
      return;
    } catch {
      // below
    }
  }
  // XPath does not reach into a shadow root: look at every element there (they are few).
  yield Array.from(root.querySelectorAll("*")).filter(
    (element) => element.localName.includes("-") && element.localName !== BUTTON_TAG && element.localName !== TOAST_TAG,
  );
}

/**
 * Whether `element`'s own contenteditable attribute makes it editable (true), not
 * editable (false), or leaves it to its parent (null): read from the attribute, so no
 * style is computed.
 */
function editable(element: Element): boolean | null {
  const value = element.getAttribute("contenteditable");
  if (value === null) return null;
  const lowered = value.trim().toLowerCase();
  if (lowered === "" || lowered === "true" || lowered === "plaintext-only") return true;
  if (lowered === "false") return false;
  return null;
}

/** An input that holds a phone number: type=tel, or named, labelled or hinted as one. */
export function isPhoneInput(input: HTMLInputElement): boolean {
  const type = (input.getAttribute("type") ?? "text").toLowerCase();
  if (type === "tel") return true;
  if (type !== "text" && type !== "") return false;
  const hints = [
    input.name,
    input.id,
    input.getAttribute("autocomplete") ?? "",
    input.getAttribute("aria-label") ?? "",
    input.placeholder,
    ...Array.from(input.labels ?? [], (label) => label.textContent ?? ""),
  ];
  const labelledBy = input.getAttribute("aria-labelledby");
  if (labelledBy) {
    for (const id of labelledBy.split(/\s+/)) {
      hints.push(input.ownerDocument.getElementById(id)?.textContent ?? "");
    }
  }
  return hints.some((hint) => hint !== "" && isPhoneFieldLabel(hint));
}
