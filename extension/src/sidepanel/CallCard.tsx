// The call card: who is on the line and the call's state and time, its controls (mute,
// hold, keypad, transfer, add participant, record, hang up), notes that save themselves,
// and the wrap-up (disposition) once the call has ended.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { CallInfo, ContactCard } from "../protocol/index";
import { formatDuration } from "./format";
import { formatNumber, formatUri } from "../shared/phone/format";
import { t, tDynamic, type MessageKey } from "../shared/i18n";
import { contactName } from "./people";
import { contactTarget, isLive, isRingingInbound, type PanelState, type PanelStore } from "./panel-store";
import { CallSummary } from "./CallSummary";

const KEYS: { digit: string; id: string }[] = [
  ..."123456789".split("").map((d) => ({ digit: d, id: d })),
  { digit: "*", id: "star" },
  { digit: "0", id: "0" },
  { digit: "#", id: "hash" },
];

export const DISPOSITIONS = [
  "connected",
  "left_voicemail",
  "no_answer",
  "busy",
  "wrong_number",
  "follow_up",
  "not_interested",
] as const;

/** Whether a call that ended did so for a reason worth showing as a failure. */
function failed(call: CallInfo): boolean {
  return call.state === "disconnected" && call.end_cause !== null && !["normal", "cancelled", "transferred"].includes(call.end_cause);
}

function stateLabel(call: CallInfo): string {
  if (call.state === "disconnected") return tDynamic(`end_${call.end_cause ?? "normal"}`, [], t("state_disconnected"));
  if (call.held) return t("state_on_hold");
  if (call.remote_held) return t("state_remote_hold");
  if (isRingingInbound(call)) return t("state_incoming");
  return tDynamic(`state_${call.state}`, [], call.state);
}

function defaultDisposition(call: CallInfo): string {
  if (call.answered_at !== null) return "connected";
  if (call.end_cause === "busy") return "busy";
  if (call.end_cause === "not_found") return "wrong_number";
  return "no_answer";
}

export function partyName(call: CallInfo, contact: ContactCard | null): string {
  if (contact) return contactName(contact);
  return call.remote_display || formatUri(call.remote_uri) || call.dialed;
}

export function callNumber(call: CallInfo): string {
  return call.e164 ? formatNumber(call.e164) : formatUri(call.remote_uri || call.dialed);
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function Toggle(props: {
  id: string;
  pressed: boolean;
  label: MessageKey;
  pressedLabel: MessageKey;
  disabled?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      type="button"
      class={`control${props.pressed ? " on" : ""}`}
      data-testid={props.id}
      aria-pressed={props.pressed}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {t(props.pressed ? props.pressedLabel : props.label)}
    </button>
  );
}

/** Targets offered by the transfer and add-participant forms: the people on the deal. */
function TargetPicker({ people, onPick, testId }: { people: ContactCard[]; onPick: (target: string) => void; testId: string }): JSX.Element | null {
  const options = people
    .map((card) => ({ card, target: contactTarget(card) }))
    .filter((o): o is { card: ContactCard; target: string } => o.target !== null)
    .slice(0, 200);
  if (!options.length) return null;
  return (
    <select
      data-testid={testId}
      aria-label={t("pick_from_people")}
      onChange={(e) => {
        const value = (e.currentTarget as HTMLSelectElement).value;
        if (value) onPick(value);
      }}
    >
      <option value="">{t("pick_from_people")}</option>
      {options.map(({ card, target }) => (
        <option key={card.contact.id} value={target}>
          {`${contactName(card)} · ${formatUri(target)}`}
        </option>
      ))}
    </select>
  );
}

/** A number or SIP address typed, or picked from the deal's people (`<testId>-target`, `-pick`). */
function TargetField(props: { label: string; value: string; onChange: (value: string) => void; people: ContactCard[]; testId: string }): JSX.Element {
  return (
    <>
      <label class="field">
        <span>{props.label}</span>
        <input
          type="text"
          data-testid={`${props.testId}-target`}
          value={props.value}
          placeholder={t("target_placeholder")}
          autocomplete="off"
          onInput={(e) => props.onChange((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <TargetPicker people={props.people} onPick={props.onChange} testId={`${props.testId}-pick`} />
    </>
  );
}

function TransferForm({ store, state, call }: { store: PanelStore; state: PanelState; call: CallInfo }): JSX.Element {
  const [target, setTarget] = useState("");
  const consultId = state.consults[call.id];
  const consult = consultId ? state.calls.find((c) => c.id === consultId) : undefined;
  if (consult) {
    return (
      <div class="drawer" role="group" aria-label={t("transfer")}>
        <p class="consult" data-testid="consult-state">
          {t("consulting", formatUri(consult.remote_uri || consult.dialed), stateLabel(consult))}
        </p>
        <div class="row">
          <button type="button" class="primary" data-testid="transfer-complete" disabled={consult.state !== "confirmed"} onClick={() => void store.completeTransfer()}>
            {t("transfer_complete")}
          </button>
          <button type="button" data-testid="transfer-cancel" onClick={() => void store.cancelConsult()}>
            {t("transfer_cancel")}
          </button>
        </div>
      </div>
    );
  }
  const go = (run: (target: string) => Promise<boolean>) => () => {
    const value = target.trim();
    if (value) void run(value).then((ok) => ok && setTarget(""));
  };
  return (
    <div class="drawer" role="group" aria-label={t("transfer")}>
      <TargetField label={t("transfer_to")} value={target} onChange={setTarget} people={state.people} testId="transfer" />
      <div class="row">
        <button type="button" class="primary" data-testid="transfer-blind" disabled={!target.trim()} onClick={go((v) => store.transferBlind(v))}>
          {t("transfer_blind")}
        </button>
        <button type="button" data-testid="transfer-consult" disabled={!target.trim()} onClick={go((v) => store.consult(v))}>
          {t("transfer_consult")}
        </button>
      </div>
    </div>
  );
}

function AddForm({ store, state }: { store: PanelStore; state: PanelState }): JSX.Element {
  const [target, setTarget] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    const value = target.trim();
    if (value) void store.addParticipant(value).then((ok) => ok && setTarget(""));
  };
  return (
    <form class="drawer" onSubmit={submit} aria-label={t("add_participant")}>
      <TargetField label={t("add_who")} value={target} onChange={setTarget} people={state.people} testId="add" />
      <button type="submit" class="primary" data-testid="add-submit" disabled={!target.trim()}>
        {t("add_participant")}
      </button>
    </form>
  );
}

function Keypad({ store }: { store: PanelStore }): JSX.Element {
  const [sent, setSent] = useState("");
  return (
    <div class="drawer keypad" role="group" aria-label={t("keypad")}>
      <output class="digits" data-testid="keypad-sent" aria-live="polite">
        {sent}
      </output>
      <div class="keys">
        {KEYS.map(({ digit, id }) => (
          <button
            key={id}
            type="button"
            data-testid={`keypad-${id}`}
            aria-label={t("keypad_key", digit)}
            onClick={() => {
              setSent((s) => (s + digit).slice(-24));
              void store.sendDigits(digit);
            }}
          >
            {digit}
          </button>
        ))}
      </div>
    </div>
  );
}

function Notes({ store, state, call }: { store: PanelStore; state: PanelState; call: CallInfo }): JSX.Element {
  const entry = state.notes[call.id];
  const status = entry?.status ?? "idle";
  const statusText =
    status === "saving" ? t("notes_saving") : status === "saved" ? t("notes_saved") : status === "error" ? t("notes_error", entry?.error ?? "") : "";
  return (
    <div class="notes">
      <label class="field" for={`notes-${call.id}`}>
        <span>{t("call_notes")}</span>
      </label>
      <textarea
        id={`notes-${call.id}`}
        data-testid="call-notes"
        rows={4}
        value={entry?.text ?? ""}
        placeholder={t("call_notes_placeholder")}
        onInput={(e) => store.editNotes(call.id, (e.currentTarget as HTMLTextAreaElement).value)}
        onBlur={() => void store.saveNotes(call.id)}
      />
      <p class={`save-status ${status}`} data-testid="call-notes-status" role="status" aria-live="polite">
        {statusText}
      </p>
    </div>
  );
}

function WrapUp({ store, state, call }: { store: PanelStore; state: PanelState; call: CallInfo }): JSX.Element {
  const value = state.disposition[call.id] ?? defaultDisposition(call);
  return (
    <div class="wrapup" role="group" aria-labelledby="wrapup-title">
      <h3 id="wrapup-title">{t("wrapup")}</h3>
      <CallSummary model={store.transcripts} callId={call.id} />
      <label class="field">
        <span>{t("disposition")}</span>
        <select
          data-testid="disposition"
          value={value}
          onChange={(e) => store.setDisposition(call.id, (e.currentTarget as HTMLSelectElement).value)}
        >
          {DISPOSITIONS.map((d) => (
            <option key={d} value={d}>
              {tDynamic(`disposition_${d}`, [], d)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        class="primary"
        data-testid="wrapup-done"
        onClick={() => {
          if (!state.disposition[call.id]) store.setDisposition(call.id, value);
          void store.finishWrapUp(call.id);
        }}
      >
        {t("wrapup_done")}
      </button>
    </div>
  );
}

export function matchedContact(state: PanelState, call: CallInfo): ContactCard | null {
  if (call.e164) {
    const found = state.people.find((p) => (p.contact.phones ?? []).some((ph) => ph.e164 === call.e164));
    if (found) return found;
  }
  const uri = call.remote_uri.replace(/^.*<|>.*$/g, "");
  return state.people.find((p) => p.contact.sip_uri && uri.startsWith(p.contact.sip_uri)) ?? null;
}

export function CallCard({ store, state, call }: { store: PanelStore; state: PanelState; call: CallInfo }): JSX.Element {
  const [drawer, setDrawer] = useState<"" | "keypad" | "transfer" | "add">("");
  const live = isLive(call);
  const now = useNow(live);
  const contact = matchedContact(state, call);
  const talking = call.state === "confirmed";
  const seconds = call.answered_at !== null ? ((call.ended_at ?? now / 1000) - call.answered_at) : ((call.ended_at ?? now / 1000) - call.created_at);
  const toggle = (name: typeof drawer) => setDrawer((d) => (d === name ? "" : name));
  const wrapped = state.wrappedUp.includes(call.id);
  const others = call.conference.map((id) => state.calls.find((c) => c.id === id)).filter((c): c is CallInfo => c !== undefined);

  return (
    <section class={`call-card state-${call.state}`} data-testid="call-card" data-state={call.state} data-call-id={call.id} aria-labelledby="call-title">
      <div class="call-head">
        <h2 id="call-title">
          <span data-testid="call-contact">{partyName(call, contact)}</span>
        </h2>
        <p class="call-sub">
          <span data-testid="call-remote">{callNumber(call)}</span>
          {contact?.contact.title ? <span class="muted">{` · ${contact.contact.title}`}</span> : null}
          {contact?.account_name ? <span class="muted">{` · ${contact.account_name}`}</span> : null}
        </p>
        <p class="call-status" role="status" aria-live="polite">
          <span class={`badge state-${call.state}`} data-testid="call-state">
            {stateLabel(call)}
          </span>
          <span class="timer" data-testid="call-timer" aria-label={t("call_time", formatDuration(seconds))}>
            {formatDuration(seconds)}
          </span>
          {call.muted ? <span class="badge warn">{t("muted")}</span> : null}
          {call.recording ? <span class="badge bad">{t("recording")}</span> : null}
        </p>
        {failed(call) ? (
          <p class="error" data-testid="call-error" role="alert">
            {t("call_failed", tDynamic(`end_${call.end_cause ?? "failed"}`, [], call.end_cause ?? ""), call.status_code ? `${call.status_code} ${call.reason}` : call.reason)}
          </p>
        ) : null}
        {others.length ? (
          <p class="muted" data-testid="call-conference">
            {t("conference_with", others.map((c) => formatUri(c.remote_uri || c.dialed)).join(", "))}
          </p>
        ) : null}
      </div>

      {live && !isRingingInbound(call) ? (
        <div class="controls" role="toolbar" aria-label={t("call_controls")}>
          <Toggle id="call-mute" pressed={call.muted} label="mute" pressedLabel="unmute" disabled={!talking} onClick={() => void store.toggleMute()} />
          <Toggle id="call-hold" pressed={call.held} label="hold" pressedLabel="resume" disabled={!talking} onClick={() => void store.toggleHold()} />
          <Toggle id="call-keypad" pressed={drawer === "keypad"} label="keypad" pressedLabel="keypad" disabled={!talking} onClick={() => toggle("keypad")} />
          <Toggle id="call-transfer" pressed={drawer === "transfer"} label="transfer" pressedLabel="transfer" disabled={!talking && !state.consults[call.id]} onClick={() => toggle("transfer")} />
          <Toggle id="call-add" pressed={drawer === "add"} label="add" pressedLabel="add" disabled={!talking} onClick={() => toggle("add")} />
          <Toggle id="call-record" pressed={call.recording !== null} label="record" pressedLabel="stop_recording" disabled={!talking} onClick={() => void store.toggleRecord()} />
          <button type="button" class="control hangup" data-testid="call-hangup" onClick={() => void store.hangUp(call.id)}>
            {t("hang_up")}
          </button>
        </div>
      ) : null}
      {live && drawer === "keypad" ? <Keypad store={store} /> : null}
      {live && drawer === "transfer" ? <TransferForm store={store} state={state} call={call} /> : null}
      {live && drawer === "add" ? <AddForm store={store} state={state} /> : null}

      {!isRingingInbound(call) ? <Notes store={store} state={state} call={call} /> : null}
      {!live && !wrapped ? <WrapUp store={store} state={state} call={call} /> : null}
      {!live && wrapped ? (
        <p class="muted" data-testid="wrapup-saved">
          {t("wrapup_saved")}
        </p>
      ) : null}
    </section>
  );
}
