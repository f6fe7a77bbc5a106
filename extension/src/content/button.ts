// The call button put beside a phone number: a `<rolecall-call data-number="…">` element
// whose UI lives in a closed shadow root with its own styles, so the page can neither
// restyle nor script it. The number it dials is kept here, not read back from the
// attribute the page could change, and only trusted (user) clicks and key presses
// place a call.

import { guardButton } from "./click-guard";

export const BUTTON_TAG = "rolecall-call";

/**
 * Inline on the host element, `!important` so no page rule can beat it: an inline box
 * 1em high sitting on the text's baseline, narrower than a character pair, so the text
 * around it keeps its line height and only the text after it moves aside.
 */
const HOST_STYLE = [
  "all: initial",
  "display: inline-block",
  "position: relative",
  "box-sizing: border-box",
  "width: 1.15em",
  "height: 1em",
  "margin: 0 0 0 0.2em",
  "padding: 0",
  "border: 0",
  "vertical-align: -0.14em",
  "line-height: 0",
  "font-size: inherit",
  "visibility: visible",
  "opacity: 1",
  "contain: layout style",
]
  .map((rule) => `${rule} !important`)
  .join("; ");

const SHADOW_CSS = `
:host { all: initial; }
button {
  all: initial;
  box-sizing: border-box;
  display: block;
  width: 100%;
  height: 100%;
  padding: 0.08em;
  border-radius: 0.25em;
  cursor: pointer;
  color: #0b7a3e;
  background: transparent;
}
button:hover { background: rgba(11, 122, 62, 0.12); }
button:focus-visible { outline: 2px solid #1a5fd0; outline-offset: 1px; }
button:active { background: rgba(11, 122, 62, 0.24); }
svg { display: block; width: 100%; height: 100%; fill: currentColor; pointer-events: none; }
@media (prefers-color-scheme: dark) { button { color: #4cd08a; } }
@media (forced-colors: active) { button { color: ButtonText; } }
`;

// A handset, drawn on a 24-unit grid.
const ICON_PATH =
  "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z";

const SVG_NS = "http://www.w3.org/2000/svg";

export interface CallButton {
  element: HTMLElement;
  target: string;
}

const targets = new WeakMap<Element, string>();
const templates = new WeakMap<Document, HTMLElement>();

function hostTemplate(doc: Document): HTMLElement {
  let template = templates.get(doc);
  if (!template) {
    template = doc.createElement(BUTTON_TAG);
    template.setAttribute("style", HOST_STYLE);
    templates.set(doc, template);
  }
  return template;
}
let sharedSheet: CSSStyleSheet | null | undefined;

/** One constructed style sheet shared by every button's shadow root, where supported. */
function sheet(): CSSStyleSheet | null {
  if (sharedSheet !== undefined) return sharedSheet;
  try {
    const made = new CSSStyleSheet();
    made.replaceSync(SHADOW_CSS);
    sharedSheet = made;
  } catch {
    sharedSheet = null;
  }
  return sharedSheet;
}

function styleShadow(doc: Document, root: ShadowRoot): void {
  const shared = sheet();
  if (shared) {
    try {
      root.adoptedStyleSheets = [shared];
      return;
    } catch {
      sharedSheet = null; // e.g. a sheet from another document: fall back to <style>
    }
  }
  const style = doc.createElement("style");
  style.textContent = SHADOW_CSS;
  root.append(style);
}

function icon(doc: Document): SVGElement {
  const svg = doc.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICON_PATH);
  svg.append(path);
  return svg;
}

/**
 * Makes a button that calls `target`; `label` is the accessible name's number, e.g.
 * "+1 415 555 0132". `activate` runs on a trusted click, Enter or Space. With `defer`,
 * the host goes in now (so the layout is final at once) and its shadow UI is built in
 * idle time, a slice at a time: a page with a thousand numbers is not held up by them.
 */
export function createCallButton(
  doc: Document,
  target: string,
  label: string,
  activate: (button: HTMLElement) => void,
  defer = false,
): HTMLElement {
  const host = hostTemplate(doc).cloneNode(false) as HTMLElement; // its style parsed once
  host.setAttribute("data-number", target);
  targets.set(host, target);
  const build = (): void => buildUi(doc, host, label, activate);
  if (defer) later.push(build);
  else build();
  if (later.length > 0) scheduleLater();
  return host;
}

function buildUi(doc: Document, host: HTMLElement, label: string, activate: (button: HTMLElement) => void): void {
  // No delegatesFocus: the page's host.focus() must not move focus onto the button.
  const root = host.attachShadow({ mode: "closed", delegatesFocus: false });
  styleShadow(doc, root);
  const button = doc.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", `Call ${label}`);
  button.title = `Call ${label}`;
  button.append(icon(doc));
  const swallow = (event: Event): void => {
    // Rows in CRM grids select or open on mousedown/click: keep our clicks to ourselves.
    event.stopPropagation();
  };
  for (const type of ["mousedown", "mouseup", "pointerdown", "pointerup", "dblclick", "keydown", "keyup"]) {
    button.addEventListener(type, swallow);
  }
  const guard = guardButton(host, root, button);
  button.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    if (!event.isTrusted) return; // page scripts cannot place calls
    if (guard.check(event) !== null) return; // covered, faded, moved, or focused by the page
    activate(host);
  });
  root.append(button);
}

// Buttons whose UI is still to be built, oldest (highest on the page) first.
let later: (() => void)[] = [];
let laterScheduled = false;
const SLICE_MS = 8;

function scheduleLater(): void {
  if (laterScheduled) return;
  laterScheduled = true;
  const g = globalThis as { requestIdleCallback?: (cb: (d: { timeRemaining(): number }) => void) => number };
  const run = (deadline?: { timeRemaining(): number }): void => {
    laterScheduled = false;
    const started = performance.now();
    const budget = Math.max(deadline?.timeRemaining() ?? SLICE_MS, SLICE_MS);
    let done = 0;
    while (done < later.length && performance.now() - started < budget) {
      later[done]!();
      done += 1;
    }
    later = later.slice(done);
    if (later.length > 0) scheduleLater();
    else for (const waiter of idleWaiters.splice(0)) waiter();
  };
  if (g.requestIdleCallback) g.requestIdleCallback(run);
  else setTimeout(run, 0);
}

const idleWaiters: (() => void)[] = [];

/** Resolves once every button made so far has its UI. */
export function buttonsReady(): Promise<void> {
  return later.length === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
}

/** Builds every pending button UI now (tests). */
export function buildPendingButtons(): void {
  for (const build of later.splice(0)) build();
  for (const waiter of idleWaiters.splice(0)) waiter();
}

/** True for one of our buttons. */
export function isCallButton(node: Node | null): node is HTMLElement {
  return node !== null && node.nodeType === Node.ELEMENT_NODE && targets.has(node as Element);
}

/** The number a button of ours dials (as made, whatever its attribute now says). */
export function buttonTarget(node: Element): string | undefined {
  return targets.get(node);
}
