// A short message on the page when a call starts or fails: one `<rolecall-toast>` at a
// time, fixed at the bottom corner, its UI in a closed shadow root, announced politely
// to screen readers. Text only: nothing here is ever parsed as HTML.

export const TOAST_TAG = "rolecall-toast";
const SHOW_MS = 4000;

const CSS = `
:host { all: initial; }
div {
  position: fixed;
  inset-inline-end: 16px;
  bottom: 16px;
  z-index: 2147483647;
  max-width: min(360px, calc(100vw - 32px));
  padding: 10px 14px;
  border-radius: 8px;
  font: 14px/1.4 system-ui, sans-serif;
  color: #fff;
  background: #1d2a3a;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.3);
  overflow-wrap: anywhere;
  unicode-bidi: plaintext;
}
div.error { background: #a4262c; }
`;

interface Toast {
  host: HTMLElement;
  box: HTMLDivElement;
  timer: ReturnType<typeof setTimeout> | undefined;
}

let current: Toast | null = null;
let shown = 0;

function make(doc: Document): Toast {
  const host = doc.createElement(TOAST_TAG);
  host.setAttribute("style", "all: initial !important; display: contents !important");
  const root = host.attachShadow({ mode: "closed" });
  const style = doc.createElement("style");
  style.textContent = CSS;
  const box = doc.createElement("div");
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  root.append(style, box);
  return { host, box, timer: undefined };
}

/** Shows `text` for a few seconds, replacing any message already shown. */
export function showToast(doc: Document, kind: "info" | "error", text: string): void {
  shown += 1;
  if (!current || !current.host.isConnected) current = make(doc);
  const toast = current;
  toast.box.textContent = text;
  toast.box.className = kind;
  toast.host.setAttribute("data-kind", kind);
  // On <html>, not <body>: single-page apps replace their body's content at will.
  if (!toast.host.isConnected) doc.documentElement.append(toast.host);
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => toast.host.remove(), SHOW_MS);
}

/** How many messages have been shown so far: tells whether a newer one came meanwhile. */
export function toastsShown(): number {
  return shown;
}

/** Removes the message shown, if any. */
export function hideToast(): void {
  if (!current) return;
  clearTimeout(current.timer);
  current.host.remove();
  current = null;
}

/** The text shown now, or null (for tests). */
export function toastText(): string | null {
  return current?.host.isConnected ? current.box.textContent : null;
}
