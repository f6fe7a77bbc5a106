// The options page's Sound section: the microphone, speaker and ringer (or the system
// default), echo cancellation, noise suppression, a silenced ringtone, and a Test button
// that plays a tone on the speaker and shows the microphone's level meanwhile. The host
// remembers the choice (`audio.set`); `audio.devices` lists what it can open.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { AudioChoice, AudioDevice, AudioTestResult, EventMessage, MethodName, Params, Result } from "../protocol/index";
import { t, type MessageKey } from "../shared/i18n";
import { hostClient } from "./host-client";

/** What the section needs of the host connection. */
export interface SoundClient {
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onEvent(listener: (event: EventMessage) => void): () => void;
}

type Role = "input" | "output" | "ringer";
type Flag = "echo_cancellation" | "noise_suppression" | "ring_silenced";
const ROLES: readonly [Role, MessageKey][] = [
  ["input", "audio_microphone"],
  ["output", "audio_speaker"],
  ["ringer", "audio_ringer"],
];
const FLAGS: readonly [Flag, MessageKey][] = [
  ["echo_cancellation", "sound_echo_cancellation"],
  ["noise_suppression", "sound_noise_suppression"],
  ["ring_silenced", "sound_ring_silenced"],
];

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A level in dBFS as a 0–100 meter value (-60 dBFS and below reads as 0). */
export function meterValue(dbfs: number): number {
  return Math.round(Math.max(0, Math.min(100, ((dbfs + 60) / 60) * 100)));
}

export function SoundDevices({ client = hostClient() }: { client?: SoundClient }): JSX.Element {
  const [devices, setDevices] = useState<AudioDevice[]>([]);
  const [chosen, setChosen] = useState<AudioChoice | null>(null);
  const [error, setError] = useState("");
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<AudioTestResult | null>(null);

  const load = (): void => {
    client
      .request("audio.devices", {})
      .then((result) => {
        setDevices(result.devices);
        setChosen(result.chosen);
        setError("");
      })
      .catch((err: unknown) => setError(errorText(err)));
  };
  useEffect(load, [client]);

  const change = (params: Params<"audio.set">, next: AudioChoice): void => {
    const previous = chosen;
    setChosen(next);
    client.request("audio.set", params).catch((err: unknown) => {
      setChosen(previous);
      setError(errorText(err));
    });
  };
  const test = (): void => {
    setTesting(true);
    setTested(null);
    client
      .request("audio.test", { seconds: 1 })
      .then((result) => {
        setTested(result);
        setError("");
      })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setTesting(false));
  };

  return (
    <section data-testid="sound">
      <h2>{t("sound_title")}</h2>
      {error ? (
        <p class="error" role="alert" data-testid="sound-error">
          {t("audio_unavailable", error)}
        </p>
      ) : null}
      {chosen
        ? ROLES.map(([role, label]) => {
            const names = devices.filter((d) => (role === "input" ? d.inputs > 0 : d.outputs > 0)).map((d) => d.name);
            const value = chosen[role] ?? "";
            if (value && !names.includes(value)) names.push(value);
            return (
              <p key={role}>
                <label for={`sound-${role}`}>{t(label)}</label>{" "}
                <select
                  id={`sound-${role}`}
                  data-testid={`sound-${role}`}
                  value={value}
                  onChange={(e) => {
                    const picked = (e.currentTarget as HTMLSelectElement).value;
                    change({ [role]: picked }, { ...chosen, [role]: picked || null });
                  }}
                >
                  <option value="">{t("audio_system_default")}</option>
                  {names.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </p>
            );
          })
        : null}
      {chosen
        ? FLAGS.map(([flag, label]) => (
            <p key={flag}>
              <label>
                <input
                  type="checkbox"
                  data-testid={`sound-${flag}`}
                  checked={chosen[flag]}
                  onChange={(e) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    change({ [flag]: on }, { ...chosen, [flag]: on });
                  }}
                />{" "}
                {t(label)}
              </label>
            </p>
          ))
        : null}
      <p>
        <button type="button" data-testid="sound-test" disabled={testing} onClick={test}>
          {testing ? t("sound_testing") : t("sound_test")}
        </button>
      </p>
      {tested ? (
        <p data-testid="sound-test-result">
          {tested.output ? t("sound_test_played", tested.output) : t("sound_test_no_speaker")}{" "}
          {tested.input ? (
            <>
              {t("sound_test_level", tested.input, tested.mic_level_dbfs.toFixed(0))}{" "}
              <meter data-testid="sound-level" min={0} max={100} value={meterValue(tested.mic_level_dbfs)} />
            </>
          ) : (
            t("sound_test_no_microphone")
          )}
        </p>
      ) : null}
    </section>
  );
}
