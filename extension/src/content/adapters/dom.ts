// Reading a page the way it is shown, open shadow roots included: CRM front ends built
// from web components (Salesforce Lightning's LWC, Zoho's Lyte) keep much of a record
// page inside shadow trees, which querySelector and textContent do not enter.

/** Elements and shadow roots: the places a deep search looks into. */
export type Root = Document | DocumentFragment | Element;

/** A bound on the elements one deep walk visits, so a hostile page cannot stall a click. */
export const MAX_WALK = 200_000;

/** Every element under `root` in tree order, entering open shadow roots where they are attached. */
export function* walkElements(root: Root, limit = MAX_WALK): Generator<Element> {
  let visited = 0;
  const stack: Node[] = [];
  const pushChildren = (node: Node): void => {
    const kids = node.childNodes;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i];
      if (kid && kid.nodeType === 1) stack.push(kid);
    }
  };
  if (root.nodeType === 1) stack.push(root);
  else pushChildren(root);
  while (stack.length) {
    const node = stack.pop() as Element;
    if (++visited > limit) return;
    yield node;
    // Light children first on the stack, so the shadow tree (what the host renders) comes first.
    pushChildren(node);
    const shadow = openShadow(node);
    if (shadow) pushChildren(shadow);
  }
}

/** The open shadow root of `el`, if any. */
export function openShadow(el: Element): ShadowRoot | null {
  try {
    return (el as Element & { shadowRoot: ShadowRoot | null }).shadowRoot ?? null;
  } catch {
    return null;
  }
}

/** The open shadow roots under `root`, nested ones included. */
export function shadowRootsUnder(root: Root, limit = MAX_WALK): ShadowRoot[] {
  const out: ShadowRoot[] = [];
  for (const el of walkElements(root, limit)) {
    const shadow = openShadow(el);
    if (shadow) out.push(shadow);
  }
  return out;
}

function queryAll(root: Root, selector: string): Element[] {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    return [];
  }
}

/** Elements under `root` (shadow trees included) that match `selector`, in tree order. */
export function deepQueryAll(root: Root, selector: string, limit = MAX_WALK): Element[] {
  const shadows = shadowRootsUnder(root, limit);
  const light = queryAll(root, selector);
  if (!shadows.length) return light;
  const hits = new Set<Element>(light);
  for (const shadow of shadows) for (const el of queryAll(shadow, selector)) hits.add(el);
  if (!hits.size) return [];
  const out: Element[] = [];
  for (const el of walkElements(root, limit)) if (hits.has(el)) out.push(el);
  return out;
}

/** The first element under `root` (shadow trees included) that matches `selector`. */
export function deepQuery(root: Root, selector: string): Element | null {
  return deepQueryAll(root, selector)[0] ?? null;
}

/**
 * True when some element under `root` (shadow trees included) passes `test`. One walk
 * with plain attribute reads: cheaper than a long selector list on a large page.
 */
export function someElement(root: Root, test: (el: Element) => boolean, limit = MAX_WALK): boolean {
  for (const el of walkElements(root, limit)) if (test(el)) return true;
  return false;
}

export function safeMatches(el: Element, selector: string): boolean {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}

/** `node`'s parent element, or the host when `node` sits at the top of a shadow tree. */
export function parentDeep(node: Node): Element | null {
  if (node.parentElement) return node.parentElement;
  const parent = node.parentNode;
  if (parent && parent.nodeType === 11) {
    const host = (parent as ShadowRoot).host;
    return host ?? null;
  }
  return null;
}

/** Like `Element.closest`, crossing out of shadow trees into their hosts. */
export function closestDeep(node: Node | null, selector: string): Element | null {
  let el: Element | null = node ? (node.nodeType === 1 ? (node as Element) : parentDeep(node)) : null;
  while (el) {
    let hit: Element | null = null;
    try {
      hit = el.closest(selector);
    } catch {
      return null;
    }
    if (hit) return hit;
    const top = el.getRootNode();
    el = top.nodeType === 11 ? ((top as ShadowRoot).host ?? null) : null;
  }
  return null;
}

/** The chain from `node` up to the document, crossing shadow boundaries. */
export function* ancestorsDeep(node: Node | null): Generator<Element> {
  let el: Element | null = node ? (node.nodeType === 1 ? (node as Element) : parentDeep(node)) : null;
  while (el) {
    yield el;
    el = parentDeep(el);
  }
}

/** True when `inner` is `outer` or inside it, shadow trees included. */
export function containsDeep(outer: Element, inner: Node): boolean {
  for (const el of ancestorsDeep(inner)) if (el === outer) return true;
  return false;
}

const SKIP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "svg", "SVG", "HEAD", "TITLE"]);
const INLINE = new Set([
  "A", "ABBR", "B", "BDI", "BDO", "CITE", "CODE", "DATA", "DFN", "EM", "FONT", "I", "KBD", "LABEL",
  "MARK", "Q", "S", "SAMP", "SMALL", "SPAN", "STRONG", "SUB", "SUP", "TIME", "U", "VAR", "SLOT",
]);

/**
 * The text `node` shows: shadow trees are read in place of their hosts' children
 * (slots bring the assigned light nodes in), scripts and templates and `hidden`
 * elements are skipped, and block boundaries become spaces. Not yet whitespace-normalised.
 */
export function shownText(node: Node | null, max = 20_000): string {
  if (!node) return "";
  const parts: string[] = [];
  let length = 0;
  let steps = 0;
  const visit = (n: Node): void => {
    if (length > max || ++steps > MAX_WALK) return;
    if (n.nodeType === 3) {
      const data = (n as Text).data;
      parts.push(data);
      length += data.length;
      return;
    }
    if (n.nodeType === 11) {
      for (const kid of Array.from(n.childNodes)) visit(kid);
      return;
    }
    if (n.nodeType !== 1) return;
    const el = n as Element;
    if (SKIP.has(el.tagName) || el.hasAttribute("hidden")) return;
    if (el.tagName === "INPUT") {
      const input = el as HTMLInputElement;
      if (input.type !== "hidden" && input.type !== "password") parts.push(" ", input.value, " ");
      return;
    }
    if (el.tagName === "BR") {
      parts.push(" ");
      return;
    }
    const block = !INLINE.has(el.tagName);
    if (block) parts.push(" ");
    if (el.tagName === "SLOT") {
      const assigned = assignedNodes(el as HTMLSlotElement);
      const kids = assigned.length ? assigned : Array.from(el.childNodes);
      for (const kid of kids) visit(kid);
    } else {
      const shadow = openShadow(el);
      const kids = shadow ? Array.from(shadow.childNodes) : Array.from(el.childNodes);
      for (const kid of kids) visit(kid);
    }
    if (block) parts.push(" ");
  };
  visit(node);
  return parts.join("");
}

function assignedNodes(slot: HTMLSlotElement): Node[] {
  try {
    return typeof slot.assignedNodes === "function" ? slot.assignedNodes({ flatten: true }) : [];
  } catch {
    return [];
  }
}

/** `shownText` with whitespace collapsed and trimmed. */
export function textOf(node: Node | null, max = 20_000): string {
  return shownText(node, max).replace(/\s+/g, " ").trim();
}

/** The attribute's value, trimmed, or "". */
export function attr(el: Element | null | undefined, name: string): string {
  return (el?.getAttribute(name) ?? "").trim();
}

/** The value of a form control, or its text. */
export function valueOf(el: Element | null): string {
  if (!el) return "";
  if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") return (el as HTMLInputElement).value.trim();
  if (el.tagName === "SELECT") {
    const select = el as HTMLSelectElement;
    return (select.selectedOptions[0]?.textContent ?? "").trim();
  }
  return textOf(el);
}

/** Every `a[href^="tel:"]` target and `input[type=tel]` value under `root`, shadow trees included. */
export function phonesIn(root: Root): string[] {
  const out: string[] = [];
  for (const el of walkElements(root)) {
    if (el.tagName === "A") {
      const href = attr(el, "href");
      if (/^tel:/i.test(href)) out.push(href);
    } else if (el.tagName === "INPUT" && (el as HTMLInputElement).type === "tel") {
      const value = (el as HTMLInputElement).value.trim();
      if (value) out.push(value);
    }
  }
  return out;
}

/** The first mailto: target under `root`, shadow trees included. */
export function emailIn(root: Root): string {
  for (const el of walkElements(root)) {
    if (el.tagName === "A" && /^mailto:/i.test(attr(el, "href"))) return attr(el, "href");
  }
  return "";
}

/**
 * Candidates for the URL of the record a page shows: the page's own, then what the
 * page says it is a copy of (`<link rel=canonical>`, `og:url`, and the
 * `<!-- saved from url=(NNNN)… -->` mark a browser writes into a saved page).
 */
export function pageUrls(url: URL, doc: Document): URL[] {
  const out: URL[] = [url];
  const add = (href: string | null | undefined): void => {
    if (!href) return;
    try {
      const u = new URL(href.trim(), url);
      if ((u.protocol === "http:" || u.protocol === "https:") && !out.some((o) => o.href === u.href)) out.push(u);
    } catch {
      /* not a URL */
    }
  };
  add(doc.querySelector('link[rel~="canonical"]')?.getAttribute("href"));
  add(doc.querySelector('meta[property="og:url"]')?.getAttribute("content"));
  add(savedFromUrl(doc));
  return out;
}

/** The URL in a saved page's `<!-- saved from url=(0071)https://… -->` mark, if any. */
export function savedFromUrl(doc: Document): string | null {
  const scan = (parent: Node | null, depth: number): string | null => {
    if (!parent || depth > 2) return null;
    for (const node of Array.from(parent.childNodes).slice(0, 20)) {
      if (node.nodeType === 8) {
        const m = /^\s*saved from url=\(\d+\)(\S+)/i.exec((node as Comment).data);
        if (m?.[1]) return m[1];
      } else if (node.nodeType === 1 && (node as Element).tagName === "HTML") {
        const found = scan(node, depth + 1) ?? scan((node as Element).querySelector("head"), depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  return scan(doc, 0);
}

/** The page's main heading, or its title with a trailing " | Site" or " - Site" removed. */
export function headingOrTitle(doc: Document): string {
  const h1 = deepQuery(doc, "h1");
  const text = textOf(h1, 1000);
  if (text) return text;
  const title = (doc.title ?? "").replace(/\s+/g, " ").trim();
  return title.replace(/\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{1,40}$/, "").trim();
}
