// The options page's "Call recording and transcripts" section: the user's consent (record
// every call, transcribe recordings; both off until turned on), the speech model, and how
// many days recordings and transcripts are kept. Reads and writes `transcript.settings`.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { TranscriptSettingsParams, TranscriptSettingsResult } from "../protocol/index";
import { BackgroundClient } from "../shared/background-client";
import { t } from "../shared/i18n";

const MODEL_MB: Record<string, number> = { "tiny.en": 78, base: 145 };

export function TranscriptSettings({ client }: { client?: BackgroundClient }): JSX.Element {
  const [bg] = useState(() => client ?? new BackgroundClient());
  const [state, setState] = useState<TranscriptSettingsResult | null>(null);
  const [error, setError] = useState("");
  const apply = (change: TranscriptSettingsParams): void => {
    bg.request("transcript.settings", change)
      .then((result) => {
        setError("");
        setState(result);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  useEffect(() => {
    bg.connect();
    apply({});
    return () => bg.close();
  }, []);
  const settings = state?.settings;
  return (
    <section data-testid="transcript-settings">
      <h2>{t("options_transcripts")}</h2>
      <p>{t("options_transcripts_help")}</p>
      <label>
        <input
          type="checkbox"
          data-testid="record-calls-switch"
          checked={settings?.record_calls ?? false}
          disabled={!settings}
          onChange={(e) => apply({ record_calls: (e.currentTarget as HTMLInputElement).checked })}
        />{" "}
        {t("options_record_calls")}
      </label>
      <br />
      <label>
        <input
          type="checkbox"
          data-testid="transcribe-switch"
          checked={settings?.transcribe ?? false}
          disabled={!settings}
          onChange={(e) => apply({ transcribe: (e.currentTarget as HTMLInputElement).checked })}
        />{" "}
        {t("options_transcribe")}
      </label>
      <br />
      <label>
        {t("options_transcript_model")}{" "}
        <select
          data-testid="transcript-model"
          value={settings?.model ?? "tiny.en"}
          disabled={!settings}
          onChange={(e) => apply({ model: (e.currentTarget as HTMLSelectElement).value as "tiny.en" | "base" })}
        >
          <option value="tiny.en">{t("options_model_tiny")}</option>
          <option value="base">{t("options_model_base")}</option>
        </select>
      </label>{" "}
      {state ? (
        <span class="muted" data-testid="transcript-model-state">
          {state.model_installed
            ? t("options_model_installed")
            : t("options_model_missing", String(MODEL_MB[state.settings.model ?? "tiny.en"] ?? ""))}
        </span>
      ) : null}
      <br />
      <label>
        {t("options_retention")}{" "}
        <input
          type="number"
          min={0}
          max={3650}
          data-testid="transcript-retention"
          value={settings?.retention_days ?? 0}
          disabled={!settings}
          onChange={(e) => {
            const days = Number((e.currentTarget as HTMLInputElement).value);
            if (Number.isInteger(days) && days >= 0 && days <= 3650) apply({ retention_days: days });
          }}
        />
      </label>
      {error ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
