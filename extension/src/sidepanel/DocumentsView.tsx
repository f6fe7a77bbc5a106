// The document view: the deal's documents with type, size, owner and date, a filter,
// and per document open, present (its link sent into the call and logged as presented)
// and copy link.

import { useMemo, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { Document } from "../protocol/index";
import { formatDate, formatSize } from "./format";
import { t } from "../shared/i18n";
import { isLive, type PanelState, type PanelStore } from "./panel-store";

/** Only web links are opened or shared; anything else a document carries is not. */
export function webLink(doc: Document): string | null {
  const url = doc.url ?? "";
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // the panel may not have focus: fall back to a selection copy
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

function openLink(url: string): void {
  if (typeof chrome !== "undefined" && chrome.tabs?.create) void chrome.tabs.create({ url });
  else window.open(url, "_blank", "noopener");
}

function DocumentItem({ store, state, doc }: { store: PanelStore; state: PanelState; doc: Document }): JSX.Element {
  const link = webLink(doc);
  const call = store.focused();
  const inCall = call !== undefined && isLive(call) && call.state === "confirmed";
  const presented = call ? (state.presented[call.id] ?? []).includes(doc.id) : false;
  const titleId = `doc-${doc.id}`;
  return (
    <li class={`document${presented ? " presented" : ""}`} data-testid={`document-${doc.id}`} data-presented={String(presented)} aria-labelledby={titleId}>
      <div class="doc-head">
        <span class="doc-type" aria-hidden="true">
          {doc.doc_type.toUpperCase().slice(0, 4)}
        </span>
        <div>
          <h4 id={titleId}>{doc.title}</h4>
          <p class="muted small">
            {[doc.doc_type.toUpperCase(), formatSize(doc.size_bytes), doc.owner, formatDate(doc.modified_at)].filter(Boolean).join(" · ")}
          </p>
          {presented ? (
            <p class="badge ok" data-testid="document-presented-badge">
              {t("presented")}
            </p>
          ) : null}
          {!link ? <p class="muted small">{t("no_link")}</p> : null}
        </div>
      </div>
      <div class="actions" role="group" aria-label={t("actions_for", doc.title)}>
        <button type="button" data-testid="document-open" disabled={!link} onClick={() => link && openLink(link)}>
          {t("open")}
        </button>
        <button
          type="button"
          class="primary"
          data-testid="document-present"
          disabled={!link || !inCall}
          title={!inCall ? t("present_needs_call") : undefined}
          onClick={() => void store.present(doc)}
        >
          {t("present")}
        </button>
        <button
          type="button"
          data-testid="document-copy"
          disabled={!link}
          onClick={() =>
            link &&
            void copyText(link).then((ok) => store.notify(ok ? "info" : "error", ok ? "notice_copied" : "notice_copy_failed", [doc.title]))
          }
        >
          {t("copy_link")}
        </button>
      </div>
    </li>
  );
}

export function DocumentsView({ store, state }: { store: PanelStore; state: PanelState }): JSX.Element {
  const [query, setQuery] = useState("");
  const [type, setType] = useState("");
  const types = useMemo(() => [...new Set(state.documents.map((d) => d.doc_type))].sort(), [state.documents]);
  const shown = useMemo(() => {
    const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    return state.documents.filter(
      (d) =>
        (!type || d.doc_type === type) &&
        words.every((w) => `${d.title} ${d.owner ?? ""} ${d.doc_type}`.toLocaleLowerCase().includes(w)),
    );
  }, [state.documents, query, type]);
  return (
    <div class="documents-view">
      <div class="filters">
        <label class="search">
          <span class="visually-hidden">{t("filter_documents")}</span>
          <input type="search" data-testid="document-filter" placeholder={t("filter_documents")} value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span class="visually-hidden">{t("document_type")}</span>
          <select data-testid="document-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t("all_types")}</option>
            {types.map((ty) => (
              <option key={ty} value={ty}>
                {ty.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted small" data-testid="documents-count" aria-live="polite">
        {t("documents_shown", shown.length, state.documents.length)}
      </p>
      <ul class="documents">
        {shown.map((doc) => (
          <DocumentItem key={doc.id} store={store} state={state} doc={doc} />
        ))}
      </ul>
      {!state.documents.length ? <p class="empty">{t("no_documents")}</p> : null}
    </div>
  );
}
