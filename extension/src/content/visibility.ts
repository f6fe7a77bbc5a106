// Whether an element of ours is really visible on the page, as the user sees it: the
// opacity it is drawn with along its ancestors (opacity() filters included) and any mask
// or clip on the way, the part of it inside the viewport and every clipping ancestor,
// and whether it is the first thing painted at a point, with whatever the page made
// click-through (pointer-events: none, inert) counted as painted over it. Chromium's
// IntersectionObserver v2 spares the whole-page hit test when it saw the element clear.

/** A box in viewport coordinates. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function boxOf(rect: DOMRect | Box): Box {
  return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
}

function intersect(a: Box, b: Box): Box | null {
  const left = Math.max(a.left, b.left);
  const top = Math.max(a.top, b.top);
  const right = Math.min(a.left + a.width, b.left + b.width);
  const bottom = Math.min(a.top + a.height, b.top + b.height);
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

/** The element's parent, or the host of the shadow root it is the top of. */
function parentOf(element: Element): Element | null {
  if (element.parentElement) return element.parentElement;
  const root = element.parentNode;
  return root && root.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? ((root as ShadowRoot).host ?? null) : null;
}

const FILTER_OPACITY_RE = /opacity\(\s*([0-9.]+)(%?)\s*\)/g;

/** The opacity the button is drawn with, and whether something on the way up masks it. */
export function effectiveOpacity(host: Element): { opacity: number; masked: boolean } {
  const view = host.ownerDocument.defaultView;
  let opacity = 1;
  let masked = false;
  for (let at: Element | null = host; at && view; at = parentOf(at)) {
    const style = view.getComputedStyle(at);
    const own = Number.parseFloat(style.opacity);
    if (Number.isFinite(own)) opacity *= own;
    for (const match of style.filter.matchAll(FILTER_OPACITY_RE)) {
      const value = Number.parseFloat(match[1] ?? "1") / (match[2] === "%" ? 100 : 1);
      if (Number.isFinite(value)) opacity *= Math.min(1, value);
    }
    const mask = style.getPropertyValue("mask-image") || style.getPropertyValue("-webkit-mask-image");
    if ((style.clipPath && style.clipPath !== "none") || (mask && mask !== "none")) masked = true;
    if (style.position === "absolute" || style.position === "fixed") {
      const clip = style.getPropertyValue("clip");
      if (clip && clip !== "auto") masked = true;
    }
  }
  return { opacity, masked };
}

/** The part of the button inside the viewport and every ancestor that clips its overflow. */
export function visibleBox(host: Element): Box | null {
  const doc = host.ownerDocument;
  const view = doc.defaultView;
  let visible: Box | null = boxOf(host.getBoundingClientRect());
  const viewport = { left: 0, top: 0, width: doc.documentElement.clientWidth, height: doc.documentElement.clientHeight };
  visible = intersect(visible, viewport);
  for (let at = parentOf(host); at && visible && view; at = parentOf(at)) {
    const style = view.getComputedStyle(at);
    if (style.overflowX !== "visible" || style.overflowY !== "visible" || /paint|strict|content/.test(style.contain)) {
      if (at !== doc.documentElement && at !== doc.body) visible = intersect(visible, boxOf(at.getBoundingClientRect()));
    }
  }
  return visible;
}

/** Whether `element` draws nothing of its own (an empty layer, a full-page container). */
function paintsNothing(element: Element): boolean {
  const view = element.ownerDocument.defaultView;
  if (!view) return false;
  if (["IMG", "VIDEO", "CANVAS", "IFRAME", "EMBED", "OBJECT", "INPUT", "TEXTAREA", "SELECT", "BUTTON", "svg"].includes(element.tagName)) {
    return false;
  }
  const style = view.getComputedStyle(element);
  const clear = (color: string): boolean => color === "transparent" || /rgba\([^)]*,\s*0\)$/.test(color);
  if (!clear(style.backgroundColor) || style.backgroundImage !== "none") return false;
  if (style.boxShadow !== "none" || style.backdropFilter !== "none" && style.backdropFilter !== "") return false;
  for (const side of ["Top", "Right", "Bottom", "Left"] as const) {
    const width = Number.parseFloat(style.getPropertyValue(`border-${side.toLowerCase()}-width`));
    if (width > 0 && !clear(style.getPropertyValue(`border-${side.toLowerCase()}-color`))) return false;
  }
  if (Number.parseFloat(style.outlineWidth) > 0 && style.outlineStyle !== "none") return false;
  for (const child of Array.from(element.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE && (child.textContent ?? "").trim() !== "") return false;
  }
  const before = view.getComputedStyle(element, "::before").content;
  const after = view.getComputedStyle(element, "::after").content;
  return (before === "none" || before === "normal") && (after === "none" || after === "normal");
}

/** Every element made hit-testable for a moment, whatever pointer-events the page set. */
// `:is()` takes its most specific argument's weight (five ids), so a page's own
// `!important` rules lose to it; a cascade layer would also beat layered page rules but
// makes removing the sheet several times dearer on a big page.
const HIT_ALL_CSS =
  ":is(*, #rolecall-hit#rolecall-hit#rolecall-hit#rolecall-hit#rolecall-hit) { pointer-events: auto !important; }";
let hitAllSheet: CSSStyleSheet | null | undefined;

function hitAll(): CSSStyleSheet | null {
  if (hitAllSheet !== undefined) return hitAllSheet;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(HIT_ALL_CSS);
    hitAllSheet = sheet;
  } catch {
    hitAllSheet = null;
  }
  return hitAllSheet;
}

/**
 * Runs `inspect` on the elements at (x, y), topmost first, as if nothing passed the
 * pointer through: page elements with `pointer-events: none` (from a style sheet, or
 * inline) are hit too. `inspect` runs while that is so, so the styles it reads are
 * computed once (one style pass over the page, however big, per click).
 */
function withEverythingAt<T>(scope: Document | ShadowRoot, x: number, y: number, inspect: (hit: Element[]) => T): T {
  const doc = scope.ownerDocument ?? (scope as Document);
  const sheet = hitAll();
  const restore: (() => void)[] = [];
  try {
    for (const holder of sheet ? new Set<Document | ShadowRoot>([doc, scope]) : []) {
      try {
        holder.adoptedStyleSheets = [...holder.adoptedStyleSheets, sheet as CSSStyleSheet];
      } catch {
        continue; // a browser that will not adopt our sheet there: inline values only
      }
      restore.push(() => {
        holder.adoptedStyleSheets = holder.adoptedStyleSheets.filter((s) => s !== sheet);
      });
    }
    for (const element of Array.from(doc.querySelectorAll<HTMLElement>('[style*="pointer-events" i]'))) {
      const style = element.style;
      if (style.getPropertyValue("pointer-events") !== "none" || style.getPropertyPriority("pointer-events") !== "important") {
        continue;
      }
      style.setProperty("pointer-events", "auto", "important");
      restore.push(() => style.setProperty("pointer-events", "none", "important"));
    }
    return inspect(scope.elementsFromPoint(x, y));
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

/** Whether `element` holds `node`, across shadow roots. */
function holds(element: Element, node: Element): boolean {
  for (let at: Element | null = node; at; at = parentOf(at)) if (at === element) return true;
  return false;
}

// Where the browser can say so (Chromium's IntersectionObserver v2), whether a button
// under the pointer or with focus was last painted with nothing over it, at full opacity,
// untransformed: then the hit test of the whole page is not needed.
const clearlyVisible = new WeakMap<Element, boolean>();
let visibilityObserver: IntersectionObserver | null | undefined;

function visibility(): IntersectionObserver | null {
  if (visibilityObserver !== undefined) return visibilityObserver;
  visibilityObserver = null;
  try {
    if (typeof IntersectionObserver !== "undefined" && "trackVisibility" in IntersectionObserver.prototype) {
      visibilityObserver = new IntersectionObserver(
        (entries) => {
          for (const entry of entries) clearlyVisible.set(entry.target, (entry as { isVisible?: boolean }).isVisible === true);
        },
        { trackVisibility: true, delay: 100 } as IntersectionObserverInit,
      );
    }
  } catch {
    visibilityObserver = null;
  }
  return visibilityObserver;
}

export function watchVisibility(host: Element, on: boolean): void {
  const observer = visibility();
  if (!observer) return;
  if (on) observer.observe(host);
  else {
    observer.unobserve(host);
    clearlyVisible.delete(host);
  }
}

/** Whether the first thing painted at (x, y) is `host` (an inert page region counts as cover). */
export function onTopAt(host: Element, x: number, y: number): boolean {
  const doc = host.ownerDocument;
  const scope = host.getRootNode() as Document | ShadowRoot;
  if (scope.elementFromPoint(x, y) !== host) return false;
  if (clearlyVisible.get(host) === true) return true;
  const covered = withEverythingAt(scope, x, y, (hit) => {
    for (const element of hit) {
      if (element === host) return false;
      if (holds(element, host)) continue; // an ancestor: painted below
      if (!paintsNothing(element)) return true;
    }
    return false;
  });
  if (covered) return false;
  for (const inert of Array.from(doc.querySelectorAll("[inert]"))) {
    if (holds(inert, host)) continue;
    const box = inert.getBoundingClientRect();
    if (x >= box.left && x < box.right && y >= box.top && y < box.bottom && !paintsNothing(inert)) return false;
  }
  return true;
}
