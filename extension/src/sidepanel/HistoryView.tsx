// History: the deal's recent calls from the call log, with duration, disposition and notes.

import type { JSX } from "preact";
import { formatDateTime, formatDuration } from "./format";
import { formatNumber } from "../shared/phone/format";
import { t, tDynamic } from "../shared/i18n";
import type { PanelState } from "./panel-store";
import { OpenInCrm } from "./PageDealView";

export function HistoryView({ state }: { state: PanelState }): JSX.Element {
  const calls = state.history;
  return (
    <div class="history-view">
      {state.historyStatus === "error" ? <p class="error">{t("history_error")}</p> : null}
      <ol class="history">
        {calls.map(({ entry, state: logState }) => (
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
            {entry.notes ? <p class="history-notes">{entry.notes}</p> : null}
            {entry.record ? <OpenInCrm url={entry.record.url} testId={`history-open-${entry.call_id}`} /> : null}
          </li>
        ))}
      </ol>
      {!calls.length && state.historyStatus !== "loading" ? <p class="empty">{t("no_history")}</p> : null}
    </div>
  );
}
