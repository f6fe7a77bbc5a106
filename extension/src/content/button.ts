// The call button put beside a phone number: a `<rolecall-call data-number="…">` element
// whose UI lives in a closed shadow root with its own styles, so the page can neither
// restyle nor script it. The number it dials is kept here, not read back from the
// attribute the page could change, and only trusted (user) clicks and key presses
// place a call.

import { checkClick, guardDocument, guardShadowRoot } from "./click-guard";
import { formatNumber } from "../shared/phone/format";

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

// A handset, drawn on a 24-unit grid. Drawn in the shadow root (not a CSS image, which
// the page's content security policy could block).
const ICON_PATH =
  "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z";

const SVG_NS = "http://www.w3.org/2000/svg";

export interface CallButton {
  element: HTMLElement;
  target: string;
}

const targets = new WeakMap<Element, string>();
const templates = new WeakMap<Document, { host: HTMLElement; button: HTMLElement }>();

/** The host and the inner button (with its icon) of `doc`, built once and cloned for each. */
function templateOf(doc: Document): { host: HTMLElement; button: HTMLElement } {
  let template = templates.get(doc);
  if (!template) {
    const host = doc.createElement(BUTTON_TAG);
    host.setAttribute("style", HOST_STYLE);
    const button = doc.createElement("button");
    button.setAttribute("type", "button");
    const svg = doc.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = doc.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICON_PATH);
    svg.append(path);
    button.append(svg);
    template = { host, button };
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

/** Each host's inner button (in its closed shadow root), found from the host an event names. */
const buttons = new WeakMap<Element, HTMLElement>();
/** What a trusted click on a button of each document runs (the same for all its buttons). */
const activations = new WeakMap<Document, (host: HTMLElement) => void>();

/**
 * The host of ours an event is for, as the listener hearing it sees it: each tree's
 * listeners (the window's, a shadow root's) hear the buttons of that tree, whose hosts
 * are the events' targets there.
 */
function hostOf(event: Event): HTMLElement | null {
  const target = event.target as Element | null;
  return target && targets.has(target) ? (target as HTMLElement) : null;
}

function buttonOf(event: Event): HTMLElement | null {
  const host = hostOf(event);
  return host ? (buttons.get(host) ?? null) : null;
}

/**
 * Presses on a button stay with us: rows in CRM grids select or open on mousedown or
 * click. Stopped at the window, in the capture phase, so no listener of the page below
 * it hears them (its default actions, focus and Enter's click, still happen).
 */
function swallow(event: Event): void {
  if (hostOf(event)) event.stopPropagation();
}

/**
 * The tooltip, "Call +1 415 555 0132": the number dialled, written internationally, made
 * when the pointer or focus first comes to the button (formatting a page's thousand
 * numbers up front cost more than reading them).
 */
function nameOnApproach(event: Event): void {
  const host = hostOf(event);
  const button = host ? buttons.get(host) : undefined;
  const target = host ? targets.get(host) : undefined;
  if (!button || !target || button.hasAttribute("title")) return;
  button.title = `Call ${target.startsWith("+") ? formatNumber(target) : target}`;
}

function onClick(event: MouseEvent): void {
  const host = hostOf(event);
  if (!host) return;
  event.preventDefault();
  event.stopPropagation();
  if (!event.isTrusted) return; // page scripts cannot place calls
  const button = buttons.get(host);
  const activate = activations.get(host.ownerDocument);
  if (!button || !activate) return;
  if (checkClick(button, event) !== null) return; // covered, faded, moved, or focused by the page
  activate(host);
}

const SWALLOWED = ["mousedown", "mouseup", "pointerdown", "pointerup", "dblclick", "keydown", "keyup"];

/** The documents and shadow roots whose buttons are listened to. */
const listened = new WeakSet<Node>();

/**
 * The listeners every button of one tree shares: for the document's own tree on its
 * window, for a page's shadow root on the root, in the capture phase. One set per tree,
 * not fourteen per button (a page can hold a thousand buttons). Presses on a button in
 * the document's tree stop at the window, before any listener of the page below it.
 */
function listen(tree: Document | ShadowRoot): void {
  if (listened.has(tree)) return;
  const doc = tree.nodeType === Node.DOCUMENT_NODE ? (tree as Document) : (tree.ownerDocument as Document);
  const at: EventTarget | null = tree === doc ? doc.defaultView : tree;
  if (!at) return;
  listened.add(tree);
  for (const type of SWALLOWED) at.addEventListener(type, swallow, true);
  at.addEventListener("click", onClick as EventListener, true);
  at.addEventListener("pointerover", nameOnApproach, { capture: true, passive: true });
  at.addEventListener("focusin", nameOnApproach, { capture: true, passive: true });
  guardDocument(doc, buttonOf);
  if (tree !== doc) guardShadowRoot(tree as ShadowRoot, buttonOf);
}

/**
 * Readies the tree `node` is in (the document, or a page's shadow root) for buttons that
 * run `activate` when clicked: called before a button goes into it.
 */
export function listenForButtonsAt(node: Node, activate: (host: HTMLElement) => void): void {
  const tree = node.getRootNode();
  const doc = node.ownerDocument ?? (node as Document);
  activations.set(doc, activate);
  if (tree.nodeType === Node.DOCUMENT_NODE || tree instanceof ShadowRoot) listen(tree as Document | ShadowRoot);
}

/**
 * Makes a button that calls `target`; `label` is the accessible name's number, as the
 * page shows it, e.g. "(415) 555-0132" (the tooltip names the number dialled). Where it
 * goes in, `listenForButtonsAt` says what a trusted click, Enter or Space on it runs.
 * The caller puts a batch of buttons into the page in one go, so the page lays itself
 * out once for the batch, not once per frame of work (on a big table one layout costs
 * as much as reading the whole page).
 */
export function createCallButton(
  doc: Document,
  target: string,
  label: string,
): HTMLElement {
  const template = templateOf(doc);
  const host = template.host.cloneNode(false) as HTMLElement; // its style parsed once
  host.setAttribute("data-number", target);
  targets.set(host, target);
  // No delegatesFocus: the page's host.focus() must not move focus onto the button.
  const root = host.attachShadow({ mode: "closed", delegatesFocus: false });
  styleShadow(doc, root);
  const button = template.button.cloneNode(true) as HTMLElement;
  button.setAttribute("aria-label", `Call ${label}`);
  buttons.set(host, button);
  root.append(button);
  return host;
}

/** True for one of our buttons. */
export function isCallButton(node: Node | null): node is HTMLElement {
  return node !== null && node.nodeType === Node.ELEMENT_NODE && targets.has(node as Element);
}

/** The number a button of ours dials (as made, whatever its attribute now says). */
export function buttonTarget(node: Element): string | undefined {
  return targets.get(node);
}
