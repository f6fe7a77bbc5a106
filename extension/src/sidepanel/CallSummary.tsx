// The wrap-up's transcript part: while the call is transcribed on this computer, how far it
// is; then its summary and action items, editable, saved to the call log and the CRM
// write-back. Nothing shows for a call that was not recorded with transcription on.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { t } from "../shared/i18n";
import { itemsFromText, type TranscriptModel, type TranscriptsView } from "./store/transcripts";

export function useTranscripts(model: TranscriptModel): TranscriptsView {
  const [view, setView] = useState<TranscriptsView>(model.view);
  useEffect(() => {
    setView(model.view);
    return model.subscribe(setView);
  }, [model]);
  return view;
}

export function CallSummary({ model, callId }: { model: TranscriptModel; callId: string }): JSX.Element | null {
  const view = useTranscripts(model)[callId];
  const [summary, setSummary] = useState<string | null>(null);
  const [items, setItems] = useState<string | null>(null);
  useEffect(() => {
    void model.load(callId);
  }, [model, callId]);
  if (!view) return null;
  if (view.state === "queued" || view.state === "running") {
    const percent = Math.round(view.progress * 100);
    return (
      <p class="muted" role="status" aria-live="polite" data-testid="call-summary-progress">
        {view.stage === "model" ? t("transcript_fetching_model", String(percent)) : t("transcript_running", String(percent))}
      </p>
    );
  }
  if (view.state === "failed") {
    return (
      <p class="error" role="status" data-testid="call-summary-failed">
        {t("transcript_failed")}
      </p>
    );
  }
  const summaryText = summary ?? view.summary;
  const itemsText = items ?? view.actionItems.join("\n");
  const saveText =
    view.save === "saving"
      ? t("notes_saving")
      : view.save === "saved"
        ? t("notes_saved")
        : view.save === "error"
          ? t("notes_error", view.error)
          : "";
  return (
    <div class="call-summary" data-testid="call-summary">
      <label class="field">
        <span>{t("transcript_summary")}</span>
        <textarea
          data-testid="call-summary-text"
          rows={4}
          value={summaryText}
          onInput={(e) => setSummary((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <label class="field">
        <span>{t("transcript_action_items")}</span>
        <textarea
          data-testid="call-summary-items"
          rows={3}
          value={itemsText}
          onInput={(e) => setItems((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <button
        type="button"
        data-testid="call-summary-save"
        disabled={summary === null && items === null}
        onClick={() => void model.edit(callId, summaryText, itemsFromText(itemsText))}
      >
        {t("transcript_save")}
      </button>
      <span class="muted small" role="status" aria-live="polite">
        {saveText}
      </span>
    </div>
  );
}
