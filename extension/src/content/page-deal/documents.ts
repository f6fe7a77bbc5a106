// Documents a deal page lists: attachment and file lists with download links, and any
// link to a document file. Each has a name, a type (from the file's extension or its
// MIME type), a size where the page shows one, and its URL (only http(s) is kept later).

import { attr, deepQueryAll, textOf } from "../adapters/dom";
import { documentLinks, linkTitle } from "../adapters/base";
import type { DocumentInput } from "../adapters/clip";

const LIST = [
  "[class*='attachment' i]", "[id*='attachment' i]", "[class*='files' i]", "[class*='document' i]", "[id*='document' i]",
  "[data-attachments]", "[aria-label*='attachment' i]", "[aria-label*='files' i]",
].join(", ");
const LIST_HEADINGS = /^(attachments?|files?|documents?|notes? (and|&) attachments|anhänge|dateien|dokumente|pièces jointes|fichiers|documents|adjuntos|archivos|documentos|附件|文件|文档)\b/i;

const MIME: Record<string, string> = {
  "application/pdf": "pdf",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.ms-powerpoint": "ppt",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  "text/csv": "csv",
  "text/plain": "txt",
  "application/zip": "zip",
  "image/png": "png",
  "image/jpeg": "jpg",
};
const SIZE = /(\d+(?:[.,]\d+)?\s?(?:[KMGT]i?B|bytes?|[KMG]o|B))\b/i;
const EXTENSION = /\.([a-z0-9]{2,5})$/i;

function kindOf(name: string, url: string, el: Element): string {
  const mime = attr(el, "type") || attr(el, "data-mime") || attr(el, "data-mimetype") || attr(el, "data-type");
  if (MIME[mime.toLowerCase()]) return MIME[mime.toLowerCase()]!;
  const fromName = EXTENSION.exec(name.trim());
  if (fromName) return fromName[1]!.toLowerCase();
  try {
    const path = decodeURIComponent(new URL(url, el.baseURI).pathname);
    const fromUrl = EXTENSION.exec(path);
    if (fromUrl) return fromUrl[1]!.toLowerCase();
  } catch {
    /* no URL */
  }
  for (const text of [textOf(el.parentElement, 300)]) {
    const m = /\b(application|text|image)\/[\w.+-]+/.exec(text);
    if (m && MIME[m[0]]) return MIME[m[0]]!;
  }
  return "";
}

/** The row or item a link sits in: where its size is written. */
function itemOf(link: Element): Element {
  return link.closest("tr, li, [role='row'], [class*='item' i], [class*='file' i]:not(ul):not(ol)") ?? link.parentElement ?? link;
}

function read(link: Element, url: string): DocumentInput {
  const title = linkTitle(link);
  const size = SIZE.exec(textOf(itemOf(link), 500).replace(title, ""))?.[1] ?? "";
  return { title, url, kind: kindOf(title || attr(link, "download"), url, link), size };
}

function isAttachmentList(el: Element): boolean {
  if (el.matches(LIST)) return true;
  const heading = el.querySelector("h1, h2, h3, h4, h5, h6, legend, caption, [class*='title' i], [class*='header' i]");
  return LIST_HEADINGS.test(textOf(heading, 80));
}

/** Documents the page lists, attachment lists first, then any other document links. */
export function pageDocuments(doc: Document, base: URL): DocumentInput[] {
  const out: DocumentInput[] = [];
  const seen = new Set<string>();
  const add = (link: Element): void => {
    const href = attr(link, "href");
    if (!href || href.startsWith("#") || /^(tel|mailto|javascript):/i.test(href)) return;
    const url = (() => {
      try {
        return new URL(href, base).href;
      } catch {
        return "";
      }
    })();
    if (!url || seen.has(url)) return;
    seen.add(url);
    out.push(read(link, url));
  };
  for (const list of deepQueryAll(doc, `${LIST}, section, fieldset, [class*='panel' i], [class*='card' i]`).slice(0, 2000)) {
    if (!isAttachmentList(list)) continue;
    for (const link of Array.from(list.querySelectorAll("a[href]"))) {
      const text = textOf(link, 200);
      if (link.hasAttribute("download") || EXTENSION.test(text) || /download|file|attachment|entrypoint=download|\/files?\//i.test(attr(link, "href"))) {
        add(link);
      }
    }
  }
  for (const { url } of documentLinks(doc, base)) {
    const link = deepQueryAll(doc, "a[href]").find((a) => attr(a, "href") === url);
    if (link) add(link);
  }
  return out;
}
