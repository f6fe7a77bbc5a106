// Whether a trusted click or key press on a call button was meant for it: the button
// must be really visible where the user acted (on top, not covered by a page element
// even one the pointer passes through, not faded out by an ancestor, not clipped or
// shrunk), it must not have been moved under a resting pointer, and a key press counts
// only on a button the user reached with Tab or a click, never one the page focused.
// A refused activation shows a short notice in the button's own shadow root. What is
// visible, and how, is found out by visibility.ts.

import { boxOf, effectiveOpacity, onTopAt, visibleBox, watchVisibility, type Box } from "./visibility";

export type { Box } from "./visibility";

/** The notices in English, for when the browser has no catalog (the catalogs hold the same keys). */
const NOTICE_TEXT = {
  click_refused_hidden:
    "Rolecall ignored this click: the call button was covered, faded or had just moved. Click it again where you can see it.",
  click_refused_focus:
    "Rolecall ignored this key press: the page moved focus to the call button. Reach it with Tab, or click it.",
} as const;

/** The browser's translation of a notice (the content script does not carry the catalogs). */
function noticeText(key: keyof typeof NOTICE_TEXT): string {
  try {
    return chrome.i18n.getMessage(key) || NOTICE_TEXT[key];
  } catch {
    return NOTICE_TEXT[key];
  }
}

/** The lowest product of the computed opacities (and opacity() filters) from the button up. */
export const MIN_OPACITY = 0.6;
/** A button smaller than this (px, either side) is a trick, not a button. */
export const MIN_SIDE_PX = 6;
/** At least this share of the button must be inside the viewport and every clipping ancestor. */
export const MIN_VISIBLE_SHARE = 0.5;
/** A resting pointer the button came to: it must stay this long before a press counts. */
export const SETTLE_MS = 500;
/** A focus counts as the user's when a trusted Tab (or a press on the button) came this recently. */
export const USER_FOCUS_MS = 1000;
/** How far (px) the button may shift between the pointer's arrival and the click. */
const MOVE_TOLERANCE_PX = 1;
const NOTICE_MS = 4000;

export type Refusal = "untrusted" | "covered" | "transparent" | "clipped" | "moved" | "focus";

/** What the guard found out about one activation; `judge` decides on these alone. */
export interface ClickFacts {
  trusted: boolean;
  /** A click from Enter or Space (or an assistive tool): no pointer position. */
  keyboard: boolean;
  /** For a keyboard click: the button has focus and the user gave it (Tab or a press). */
  userFocused: boolean;
  /** The topmost page content painted where the user acted is our button. */
  onTop: boolean;
  /** Product of the opacities from the button up to the document. */
  opacity: number;
  /** A clip-path, mask or clip on the way up. */
  masked: boolean;
  /** The button's box now, and the part of it that can be seen. */
  box: Box;
  visible: Box | null;
  /** Pointer clicks: the pointer's kind and what happened on the button before the click. */
  pointerType: string;
  /** Where the button was when the pointer entered it and when it was pressed. */
  enterBox: Box | null;
  downBox: Box | null;
  enterAt: number | null;
  downAt: number | null;
  /** The pointer itself moved over the button (it was not the button that came to it). */
  movedOnto: boolean;
}

function sameBox(a: Box, b: Box): boolean {
  return (
    Math.abs(a.left - b.left) <= MOVE_TOLERANCE_PX &&
    Math.abs(a.top - b.top) <= MOVE_TOLERANCE_PX &&
    Math.abs(a.width - b.width) <= MOVE_TOLERANCE_PX &&
    Math.abs(a.height - b.height) <= MOVE_TOLERANCE_PX
  );
}

/** null when the activation counts, else why it does not. Pure: tested without a browser. */
export function judge(facts: ClickFacts): Refusal | null {
  if (!facts.trusted) return "untrusted";
  if (facts.keyboard && !facts.userFocused) return "focus";
  const { box, visible } = facts;
  if (box.width < MIN_SIDE_PX || box.height < MIN_SIDE_PX || !visible) return "clipped";
  if (visible.width * visible.height < MIN_VISIBLE_SHARE * box.width * box.height) return "clipped";
  if (facts.masked) return "clipped";
  if (facts.opacity < MIN_OPACITY) return "transparent";
  if (!facts.onTop) return "covered";
  if (facts.keyboard) return null;
  // A pointer click: the button must be where it was when the pointer came and pressed.
  if (!facts.downBox || !sameBox(facts.downBox, box)) return "moved";
  if (facts.enterBox && !sameBox(facts.enterBox, box)) return "moved";
  if (facts.pointerType === "touch") return null; // a tap brings the finger, not a resting pointer
  if (facts.movedOnto) return null;
  const settled = facts.enterAt !== null && facts.downAt !== null && facts.downAt - facts.enterAt >= SETTLE_MS;
  return settled ? null : "moved";
}

// ---- one button's watch ---------------------------------------------------------------

interface PointerTrack {
  pointerType: string;
  enterBox: Box | null;
  enterAt: number | null;
  downBox: Box | null;
  downAt: number | null;
  movedOnto: boolean;
}

/** What the guard keeps of the user's input in one document. */
interface DocumentInput {
  lastTabAt: number;
  /** The pointer's position before the pointer event being handled, and at it. */
  previous: { x: number; y: number } | null;
  current: { x: number; y: number } | null;
}

/**
 * The call button (inside its closed shadow root) an event on the page is for, or null:
 * given by button.ts, which knows its hosts.
 */
export type ButtonOfEvent = (event: Event) => HTMLElement | null;

const inputs = new WeakMap<Document, DocumentInput>();

/**
 * Starts guarding the call buttons of `doc`: follows the user's Tab presses and pointer
 * moves, and the pointer and focus coming to and leaving each button in the document's
 * own tree. One set of listeners on the window, in the capture phase, serves all those
 * buttons: they run before the page's own (a content script's come first) and before
 * the button's click. Buttons inside a page's shadow root are guarded by `guardShadowRoot`.
 */
export function guardDocument(doc: Document, buttonOf: ButtonOfEvent): void {
  if (inputs.has(doc)) return;
  const state: DocumentInput = { lastTabAt: -Infinity, previous: null, current: null };
  inputs.set(doc, state);
  const view = doc.defaultView;
  if (!view) return;
  view.addEventListener(
    "keydown",
    (event) => {
      if (event.isTrusted && event.key === "Tab") state.lastTabAt = event.timeStamp;
    },
    PASSIVE_CAPTURE,
  );
  // Before any listener for a button below (the window's capture phase comes first).
  view.addEventListener(
    "pointermove",
    (event) => {
      if (!event.isTrusted) return;
      state.previous = state.current;
      state.current = { x: event.clientX, y: event.clientY };
    },
    PASSIVE_CAPTURE,
  );
  listenForButtons(view, buttonOf);
}

/**
 * Guards the call buttons in a page's open shadow root `root` (of a document already
 * given to `guardDocument`). An event between two elements of one shadow tree (the
 * pointer moving from the page's button to ours) is not dispatched above the tree's
 * host, so the window never hears it: the root's own listeners do.
 */
export function guardShadowRoot(root: ShadowRoot, buttonOf: ButtonOfEvent): void {
  listenForButtons(root, buttonOf);
}

const PASSIVE_CAPTURE = { capture: true, passive: true };

/**
 * The listeners that follow the pointer and focus to and from the buttons of one tree
 * (the document's or a shadow root's), where `buttonOf` names the button an event is for.
 */
function listenForButtons(at: EventTarget, buttonOf: ButtonOfEvent): void {
  at.addEventListener(
    "pointermove",
    (event) => {
      const button = event.isTrusted ? buttonOf(event) : null;
      if (button) onPointerMove(button, event as PointerEvent);
    },
    PASSIVE_CAPTURE,
  );
  // Pointer enter and leave do not bubble: over and out do, and tell the same for a
  // button that fills its host (a move inside the host has the host on both sides).
  at.addEventListener(
    "pointerover",
    (event) => {
      const button = buttonOf(event);
      const host = button && (button.getRootNode() as ShadowRoot).host;
      if (button && (event as PointerEvent).relatedTarget !== host) onPointerEnter(button, event as PointerEvent);
    },
    PASSIVE_CAPTURE,
  );
  at.addEventListener(
    "pointerout",
    (event) => {
      const button = buttonOf(event);
      const host = button && (button.getRootNode() as ShadowRoot).host;
      if (button && (event as PointerEvent).relatedTarget !== host) onPointerLeave(button);
    },
    PASSIVE_CAPTURE,
  );
  at.addEventListener(
    "pointerdown",
    (event) => {
      const button = buttonOf(event);
      if (button) onPointerDown(button, event as PointerEvent);
    },
    PASSIVE_CAPTURE,
  );
  at.addEventListener(
    "focusin",
    (event) => {
      const button = buttonOf(event);
      if (button) onFocus(button, event as FocusEvent);
    },
    PASSIVE_CAPTURE,
  );
  at.addEventListener(
    "focusout",
    (event) => {
      const button = buttonOf(event);
      if (button) onBlur(button);
    },
    PASSIVE_CAPTURE,
  );
}

/** Whether this pointer move took the pointer somewhere (a button slid under a resting pointer brings none). */
function pointerTravelled(input: DocumentInput, event: PointerEvent): boolean {
  if (event.movementX !== 0 || event.movementY !== 0) return true;
  const before = input.previous;
  return before === null || before.x !== event.clientX || before.y !== event.clientY;
}

export interface ClickGuard {
  /** null when the click counts, else why not (and the notice is shown). */
  check(event: MouseEvent): Refusal | null;
}

/**
 * One button's watch: where the pointer came from, how the button got focus. One small
 * object per button the user came near, read by the document's listeners.
 */
class ButtonWatch implements ClickGuard {
  track: PointerTrack | null = null;
  userFocused = false;

  constructor(
    readonly host: HTMLElement,
    readonly root: ShadowRoot,
    readonly button: HTMLElement,
    readonly input: DocumentInput,
  ) {}

  boxNow(): Box {
    return boxOf(this.host.getBoundingClientRect());
  }

  check(event: MouseEvent): Refusal | null {
    const { host, root, button, track } = this;
    const keyboard = event.detail === 0;
    const box = this.boxNow();
    const visible = visibleBox(host);
    const x = keyboard && visible ? visible.left + visible.width / 2 : event.clientX;
    const y = keyboard && visible ? visible.top + visible.height / 2 : event.clientY;
    const { opacity, masked } = effectiveOpacity(host);
    const focused = root.activeElement === button;
    const facts: ClickFacts = {
      trusted: event.isTrusted,
      keyboard,
      userFocused: focused && this.userFocused,
      onTop: visible !== null && onTopAt(host, x, y),
      opacity,
      masked,
      box,
      visible,
      pointerType: track?.pointerType ?? "mouse",
      enterBox: track?.enterBox ?? null,
      downBox: track?.downBox ?? null,
      enterAt: track?.enterAt ?? null,
      downAt: track?.downAt ?? null,
      movedOnto: track?.movedOnto ?? false,
    };
    const refusal = judge(facts);
    if (refusal && refusal !== "untrusted") showNotice(root, refusal);
    return refusal;
  }
}

const watches = new WeakMap<HTMLElement, ButtonWatch>();

/**
 * The watch of `button`, made when the user first comes near it (most buttons of a big
 * page never get one): a watch starts empty, as one made with the button would be.
 */
function watchOf(button: HTMLElement): ButtonWatch | undefined {
  let watch = watches.get(button);
  if (watch) return watch;
  const root = button.getRootNode();
  if (!(root instanceof ShadowRoot) || !(root.host instanceof HTMLElement)) return undefined;
  const host = root.host;
  const input = inputs.get(host.ownerDocument);
  if (!input) return undefined;
  watch = new ButtonWatch(host, root, button, input);
  watches.set(button, watch);
  return watch;
}

function onPointerEnter(button: HTMLElement, event: PointerEvent): void {
  const watch = event.isTrusted ? watchOf(button) : undefined;
  if (!watch) return;
  watchVisibility(watch.host, true);
  watch.track = {
    pointerType: event.pointerType,
    enterBox: watch.boxNow(),
    enterAt: event.timeStamp,
    downBox: null,
    downAt: null,
    movedOnto: false,
  };
}

function onPointerMove(button: HTMLElement, event: PointerEvent): void {
  const watch = watches.get(button);
  const track = watch?.track;
  if (!watch || !track) return;
  if (pointerTravelled(watch.input, event) && track.enterBox && sameBox(track.enterBox, watch.boxNow())) {
    track.movedOnto = true;
  }
}

function onPointerLeave(button: HTMLElement): void {
  const watch = watches.get(button);
  if (!watch) return;
  watch.track = null;
  if (!watch.userFocused) watchVisibility(watch.host, false);
}

function onPointerDown(button: HTMLElement, event: PointerEvent): void {
  const watch = event.isTrusted ? watchOf(button) : undefined;
  if (!watch) return;
  const track = (watch.track ??= {
    pointerType: event.pointerType,
    enterBox: null,
    enterAt: null,
    downBox: null,
    downAt: null,
    movedOnto: false,
  });
  track.pointerType = event.pointerType;
  track.downBox = watch.boxNow();
  track.downAt = event.timeStamp;
}

function onFocus(button: HTMLElement, event: FocusEvent): void {
  const watch = watchOf(button);
  if (!watch) return;
  const tabbed = event.timeStamp - watch.input.lastTabAt < USER_FOCUS_MS;
  const downAt = watch.track?.downAt;
  const pressed = downAt != null && event.timeStamp - downAt < USER_FOCUS_MS;
  watch.userFocused = event.isTrusted && (tabbed || pressed);
  if (watch.userFocused) watchVisibility(watch.host, true);
}

function onBlur(button: HTMLElement): void {
  const watch = watches.get(button);
  if (!watch) return;
  watch.userFocused = false;
  if (!watch.track) watchVisibility(watch.host, false);
}

/**
 * Whether a click on `button` (in a document given to `guardDocument`) was meant for it:
 * null when it was, else why not (and a notice beside the button says so).
 */
export function checkClick(button: HTMLElement, event: MouseEvent): Refusal | null {
  const watch = watchOf(button);
  return watch ? watch.check(event) : "untrusted";
}

// ---- what a link shows ---------------------------------------------------------------

const LINK_RE = /^\s*(?:tel|callto|sips?):/i;

/**
 * For a call placed from a tel:/callto:/sip: link: `{shown}`, the text the link shows as
 * rendered (hidden parts left out), so the background can tell whether it names the
 * number dialled. Anything else: `{}`.
 */
export function shownText(anchor: Node): { shown?: string } {
  if (anchor.nodeType !== Node.ELEMENT_NODE || (anchor as Element).tagName !== "A") return {};
  const link = anchor as HTMLAnchorElement;
  if (!LINK_RE.test(link.getAttribute("href") ?? "")) return {};
  const text = (link.innerText || link.textContent || "").replace(/\s+/g, " ").trim();
  return { shown: text.slice(0, 256) };
}

// ---- the notice -----------------------------------------------------------------------

const NOTICE_STYLE = [
  "position: absolute",
  "left: 0",
  "top: 100%",
  "z-index: 2147483647",
  "margin-top: 2px",
  "padding: 3px 6px",
  "width: max-content",
  "max-width: 18em",
  "font: 12px/1.3 system-ui, sans-serif",
  "color: #fff",
  "background: #333",
  "border-radius: 4px",
  "white-space: normal",
  "pointer-events: none",
].join("; ");

const notices = new WeakMap<ShadowRoot, { element: HTMLElement; timer: ReturnType<typeof setTimeout> }>();

/** Says, next to the button, that the click was ignored and why (text only). */
function showNotice(root: ShadowRoot, refusal: Refusal): void {
  const doc = root.ownerDocument ?? document;
  const old = notices.get(root);
  if (old) {
    clearTimeout(old.timer);
    old.element.remove();
  }
  const element = doc.createElement("div");
  element.setAttribute("role", "status");
  element.setAttribute("style", NOTICE_STYLE);
  element.textContent = noticeText(refusal === "focus" ? "click_refused_focus" : "click_refused_hidden");
  root.append(element);
  const timer = setTimeout(() => {
    element.remove();
    notices.delete(root);
  }, NOTICE_MS);
  notices.set(root, { element, timer });
}
