// History: the deal's recent calls from the call log, with duration, disposition, the
// call's summary (when it was transcribed) and notes.

import type { JSX } from "preact";
import { formatDateTime, formatDuration } from "./format";
import { formatNumber } from "../shared/phone/format";
import { t, tDynamic } from "../shared/i18n";
import type { PanelState } from "./panel-store";
import { OpenInCrm } from "./PageDealView";

/** The host ends a transcribed call's notes with its summary block; History shows it apart. */
const SUMMARY_MARK = "Call summary (made on this computer):";

export function notesOf(notes: string, summary: string): string {
  return summary ? notes.split(SUMMARY_MARK)[0]!.trim() : notes;
}

export function HistoryView({ state }: { state: PanelState }): JSX.Element {
  const calls = state.history;
  return (
    <div class="history-view">
      {state.historyStatus === "error" ? <p class="error">{t("history_error")}</p> : null}
      <ol class="history">
        {calls.map(({ entry, state: logState, summary }) => (
          <li key={entry.call_id} class="history-entry" data-testid={`history-entry-${entry.call_id}`}>
            <p>
              <strong>{formatDateTime(entry.started_at)}</strong>{" "}
              <span class="muted">{entry.direction === "inbound" ? t("inbound") : t("outbound")}</span>{" "}
              <span>{formatNumber(entry.number)}</span>
            </p>
            <p class="muted small">
              {[
                logState === "live" ? t("in_progress") : formatDuration(entry.duration_s),
                entry.disposition ? tDynamic(`disposition_${entry.disposition}`, [], entry.disposition) : tDynamic(`end_${entry.end_cause}`, [], entry.end_cause),
                entry.documents_presented?.length ? t("documents_presented_count", entry.documents_presented.length) : "",
              ]
                .filter(Boolean)
                .join(" · ")}
            </p>
            {summary ? (
              <p class="history-summary" data-testid={`history-summary-${entry.call_id}`}>
                {t("history_summary", summary)}
              </p>
            ) : null}
            {notesOf(entry.notes ?? "", summary) ? <p class="history-notes">{notesOf(entry.notes ?? "", summary)}</p> : null}
            {entry.record ? <OpenInCrm url={entry.record.url} testId={`history-open-${entry.call_id}`} /> : null}
          </li>
        ))}
      </ol>
      {!calls.length && state.historyStatus !== "loading" ? <p class="empty">{t("no_history")}</p> : null}
    </div>
  );
}
