// The sound devices of the call: which microphone and speaker are in use, a plain warning
// when there is none (the call goes on), and a picker to switch microphone, speaker or
// ringer at any time, a call included. Reads and changes the panel model's `audio` part.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import { t, type MessageKey } from "../shared/i18n";
import { chosenFor, devicesFor, type AudioModel, type AudioRole, type AudioView } from "./panel-store";

const ROLES: readonly AudioRole[] = ["input", "output", "ringer"];
const ROLE_LABELS: Record<AudioRole, MessageKey> = {
  input: "audio_microphone",
  output: "audio_speaker",
  ringer: "audio_ringer",
};

function useAudio(model: AudioModel): AudioView {
  const [view, setView] = useState<AudioView>(model.view);
  useEffect(() => {
    setView(model.view);
    return model.subscribe(setView);
  }, [model]);
  return view;
}

function Picker({ model, view, role }: { model: AudioModel; view: AudioView; role: AudioRole }): JSX.Element {
  const id = `audio-${role}`;
  const chosen = chosenFor(view, role);
  const names = devicesFor(view, role).map((d) => d.name);
  if (chosen && !names.includes(chosen)) names.push(chosen);
  return (
    <label for={id} class="audio-picker">
      {t(ROLE_LABELS[role])}{" "}
      <select
        id={id}
        data-testid={id}
        value={chosen}
        onChange={(e) => void model.choose(role, (e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">{t("audio_system_default")}</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AudioDevices({ model }: { model: AudioModel }): JSX.Element | null {
  const view = useAudio(model);
  const [open, setOpen] = useState(false);
  const state = view.state;
  if (!state && view.status !== "error") return null;
  return (
    <section class="audio-devices" data-testid="audio-devices" aria-label={t("audio_title")}>
      {state?.no_microphone ? (
        <p class="warning" role="alert" data-testid="audio-no-microphone">
          {t("audio_no_microphone")}
        </p>
      ) : null}
      {state?.no_speaker ? (
        <p class="warning" role="alert" data-testid="audio-no-speaker">
          {t("audio_no_speaker")}
        </p>
      ) : null}
      {state ? (
        <p class="audio-in-use" data-testid="audio-in-use">
          <span data-testid="audio-input-in-use">{t("audio_microphone_in_use", state.input ?? t("audio_none"))}</span>
          {" · "}
          <span data-testid="audio-output-in-use">{t("audio_speaker_in_use", state.output ?? t("audio_none"))}</span>
        </p>
      ) : null}
      {view.status === "error" ? <p class="error" data-testid="audio-error">{t("audio_unavailable", view.error)}</p> : null}
      <button type="button" data-testid="audio-choose" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t("audio_choose")}
      </button>
      {open ? (
        <div class="audio-pickers" data-testid="audio-pickers">
          {ROLES.map((role) => (
            <Picker key={role} model={model} view={view} role={role} />
          ))}
        </div>
      ) : null}
    </section>
  );
}
