// The side panel: the host connection, incoming calls, the call the panel follows, and
// the deal that call is about in tabs (call, people by role, documents, history). The
// connection state comes from the background over the "rolecall-ui" port; everything
// else from the panel's model (panel-store.ts).

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { ConnectionState } from "../shared/state";
import type { BackgroundClient } from "../shared/background-client";
import { CallCard, callNumber, partyName, matchedContact } from "./CallCard";
import { DocumentsView } from "./DocumentsView";
import { FirstRun } from "./FirstRun";
import { HistoryView } from "./HistoryView";
import { InboundCard } from "./InboundCard";
import { PeopleView } from "./PeopleView";
import { RichText } from "../shared/rich-text";
import { formatAmount, formatDate, formatDuration } from "./format";
import { t, tDynamic, type MessageKey } from "../shared/i18n";
import { isLive, isRingingInbound, type PanelState, type PanelStore } from "./panel-store";
import { PageDealSource } from "./PageDealView";
import { AudioDevices } from "./AudioDevices";
import { TransferOfferCards } from "./TransferOffer";
import { CrmSignIn } from "./CrmSignIn";
import { DialConfirm } from "./DialConfirm";

const INITIAL: ConnectionState = {
  status: "connecting",
  message: "Waiting for the Rolecall background…",
  since: Date.now(),
};

const TABS = ["call", "people", "documents", "history"] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, MessageKey> = { call: "tab_call", people: "tab_people", documents: "tab_documents", history: "tab_history" };
const NOTICE_MS = 6000;

interface Received {
  state: ConnectionState;
  at: number;
}

function useConnectionState(client: BackgroundClient): Received {
  const [received, setReceived] = useState<Received>(() => client.lastState ?? { state: INITIAL, at: Date.now() });
  useEffect(() => client.onState((state, at) => setReceived({ state, at })), [client]);
  return received;
}

function usePanelState(store: PanelStore): PanelState {
  const [state, setState] = useState(store.snapshot);
  useEffect(() => store.subscribe(setState), [store]);
  return state;
}

/** Seconds until the scheduled retry, updated every second while one is scheduled. */
function useRetryCountdown({ state, at }: Received): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (state.retryInMs === undefined) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state, at]);
  if (state.retryInMs === undefined) return null;
  return Math.max(0, Math.ceil((at + state.retryInMs - now) / 1000));
}

function Connection({ client, received }: { client: BackgroundClient; received: Received }): JSX.Element {
  const { state } = received;
  const countdown = useRetryCountdown(received);
  const connected = state.status === "connected";
  return (
    <section class={`connection status-${state.status}${connected ? " compact" : ""}`} aria-labelledby="connection-title">
      <h2 id="connection-title" class={connected ? "visually-hidden" : undefined}>
        {t("host_connection")}
      </h2>
      <div class="live" role="status" aria-live="polite" aria-atomic="true">
        <div class="status-line">
          <span class="status-dot" aria-hidden="true" />
          <span class="status" data-testid="host-status">
            {state.status}
          </span>
          {connected && state.hostVersion !== undefined ? (
            <span class="version" data-testid="host-version">
              {`rolecall ${state.hostVersion}, protocol ${state.protocol ?? "?"}`}
            </span>
          ) : null}
        </div>
        <p class={`message${connected ? " visually-hidden" : ""}`} data-testid="host-message">
          <RichText text={state.message} />
        </p>
      </div>
      {!connected && state.fix ? (
        <p class="fix" data-testid="host-fix">
          <RichText text={state.fix} />
        </p>
      ) : null}
      {!connected ? (
        <div class="actions">
          <button type="button" data-testid="host-retry" onClick={() => client.retry()}>
            {t("retry_now")}
          </button>
          {countdown !== null ? (
            <span class="retry-note" data-testid="host-retry-in">
              {t("retry_in", countdown)}
            </span>
          ) : null}
        </div>
      ) : null}
      {connected && state.missedEvents ? <p class="note">{t("missed_events", state.missedEvents)}</p> : null}
    </section>
  );
}

function NoticeBar({ store, state }: { store: PanelStore; state: PanelState }): JSX.Element | null {
  const notice = state.notice;
  useEffect(() => {
    if (!notice) return undefined;
    const timer = setTimeout(() => store.dismissNotice(), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, store]);
  return (
    <div class="notice-area" role={notice?.kind === "error" ? "alert" : "status"} aria-live={notice?.kind === "error" ? "assertive" : "polite"}>
      {notice ? (
        <p class={`notice ${notice.kind}`} data-testid="notice" data-kind={notice.kind}>
          {tDynamic(notice.key, notice.subs, notice.subs.join(" "))}
          <button type="button" class="link" aria-label={t("dismiss")} onClick={() => store.dismissNotice()}>
            ×
          </button>
        </p>
      ) : null}
    </div>
  );
}

function RegistrationProblems({ state }: { state: PanelState }): JSX.Element | null {
  const failed = state.accounts.filter((a) => a.registration === "failed");
  if (!failed.length) return null;
  return (
    <div class="banner error" data-testid="registration-error" role="alert">
      {failed.map((a) => (
        <p key={a.config.id}>{t("registration_failed", a.config.uri, a.status_code ? `${a.status_code} ${a.reason}` : a.reason)}</p>
      ))}
    </div>
  );
}

function DealSummary({ state }: { state: PanelState }): JSX.Element | null {
  const context = state.context;
  if (!context) return null;
  const o = context.opportunity;
  const facts = [o.stage, formatAmount(o.amount, o.currency), o.close_date ? t("closes", formatDate(o.close_date)) : "", o.owner ? t("owner", o.owner) : ""].filter(Boolean);
  // A page deal's fields are shown as the page words them ("48.500,00 €", "15.01.2027"), never re-read.
  const shown = context.source === "page" ? context.fields ?? {} : null;
  const pageFacts: [string, string][] = shown
    ? ([
        ["account", shown["account"] ?? ""],
        ["stage", shown["stage"] ?? ""],
        ["amount", shown["amount"] ?? ""],
        ["close_date", shown["close_date"] ? t("closes", shown["close_date"]) : ""],
        ["owner", shown["owner"] ? t("owner", shown["owner"]) : ""],
      ] as [string, string][]).filter(([, text]) => text)
    : [];
  return (
    <section class="deal" data-testid="opportunity-summary" data-opportunity-id={o.id} aria-labelledby="deal-title">
      <p class="eyebrow">{t("opportunity")}</p>
      <h2 id="deal-title" data-testid="opportunity-name">
        {o.name}
      </h2>
      {shown ? (
        <p class="muted" data-testid="page-deal-fields">
          {pageFacts.map(([field, text], i) => (
            <span key={field} data-testid={`page-deal-field-${field}`}>
              {i ? " · " : ""}
              {text}
            </span>
          ))}
        </p>
      ) : (
        <p class="muted">{[context.account?.name, ...facts].filter(Boolean).join(" · ")}</p>
      )}
      <PageDealSource context={context} />
      {context.missing_roles.length ? (
        <p class="hint">{context.missing_roles.map((r) => t("missing_role", tDynamic(`role_${r}`, [], r))).join(" ")}</p>
      ) : null}
    </section>
  );
}

/** A one-line call bar for the other tabs: who, state, time, mute and hang up. */
function CallBar({ store, state }: { store: PanelStore; state: PanelState }): JSX.Element | null {
  const call = store.focused();
  const [now, setNow] = useState(Date.now());
  const live = call !== undefined && isLive(call) && !isRingingInbound(call);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  if (!call || !live) return null;
  const since = call.answered_at ?? call.created_at;
  return (
    <div class="callbar" data-testid="callbar" role="group" aria-label={t("call_controls")}>
      <span class="who">{partyName(call, matchedContact(state, call))}</span>
      <span class="muted">{callNumber(call)}</span>
      <span class="timer">{formatDuration(now / 1000 - since)}</span>
      <button type="button" data-testid="callbar-mute" aria-pressed={call.muted} disabled={call.state !== "confirmed"} onClick={() => void store.toggleMute()}>
        {t(call.muted ? "unmute" : "mute")}
      </button>
      <button type="button" class="hangup" data-testid="callbar-hangup" onClick={() => void store.hangUp(call.id)}>
        {t("hang_up")}
      </button>
    </div>
  );
}

function Tabs({ tab, setTab, state }: { tab: Tab; setTab: (tab: Tab) => void; state: PanelState }): JSX.Element {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const counts: Partial<Record<Tab, number>> = { people: state.people.length, documents: state.documents.length };
  const onKey = (e: KeyboardEvent) => {
    const index = TABS.indexOf(tab);
    let next = index;
    if (e.key === "ArrowRight") next = (index + 1) % TABS.length;
    else if (e.key === "ArrowLeft") next = (index - 1 + TABS.length) % TABS.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = TABS.length - 1;
    else return;
    e.preventDefault();
    const name = TABS[next] ?? "call";
    setTab(name);
    refs.current[name]?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={t("views")} onKeyDown={onKey}>
      {TABS.map((name) => (
        <button
          key={name}
          ref={(el) => {
            refs.current[name] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${name}`}
          data-testid={`tab-${name}`}
          aria-selected={tab === name}
          aria-controls={`view-${name}`}
          tabIndex={tab === name ? 0 : -1}
          onClick={() => setTab(name)}
        >
          {t(TAB_LABELS[name])}
          {counts[name] !== undefined && state.context ? <span class="count">{counts[name]}</span> : null}
        </button>
      ))}
    </div>
  );
}

function View({ name, tab, children }: { name: Tab; tab: Tab; children: JSX.Element | (JSX.Element | null)[] | null }): JSX.Element {
  return (
    <div role="tabpanel" id={`view-${name}`} data-testid={`${name}-view`} aria-labelledby={`tab-${name}`} hidden={tab !== name} tabIndex={0}>
      {children}
    </div>
  );
}

function ContextStatus({ state }: { state: PanelState }): JSX.Element | null {
  if (state.contextStatus === "loading") return <p class="muted" data-testid="context-loading">{t("loading_deal")}</p>;
  if (state.contextStatus === "error") return <p class="error" data-testid="context-error">{t("deal_error", state.contextError)}</p>;
  if (state.contextStatus === "none") {
    return (
      <p class="muted" data-testid="context-none">
        {state.matches.length ? t("pick_deal_hint") : t("no_deal_for_call")}
      </p>
    );
  }
  return null;
}

export function App({ client, store }: { client: BackgroundClient; store: PanelStore }): JSX.Element {
  const received = useConnectionState(client);
  const state = usePanelState(store);
  const [tab, setTab] = useState<Tab>("call");
  const connected = received.state.status === "connected";
  const focused = store.focused();
  const ringing = store.ringing().filter((c) => c.id !== state.focusId);

  useEffect(() => {
    if (connected) void store.refresh();
  }, [connected, received.state.since, store]);

  // For the benchmark and tests: when a deal's people and documents are on screen.
  useLayoutEffect(() => {
    if (state.contextStatus === "ready") {
      store.markShown();
      document.body.dataset.contextShownAt = String(Date.now());
      document.body.dataset.opportunityId = state.context?.opportunity.id ?? "";
    }
  }, [state.context, state.people, state.documents, state.contextStatus, store]);

  return (
    <div class="app" data-testid="panel">
      <header class="app-header">
        <h1>Rolecall</h1>
        <Connection client={client} received={received} />
      </header>
      <main aria-label="Rolecall">
        <NoticeBar store={store} state={state} />
        <CrmSignIn client={store.client} connected={connected} />
        <DialConfirm client={client} />
        <FirstRun connection={received.state} accounts={state.accounts} />
        <RegistrationProblems state={state} />
        {ringing.map((call) => (
          <InboundCard key={call.id} store={store} state={state} call={call} />
        ))}
        {focused && isRingingInbound(focused) ? <InboundCard store={store} state={state} call={focused} /> : null}
        <TransferOfferCards model={store.transfers} />
        {tab !== "call" ? <CallBar store={store} state={state} /> : null}
        <Tabs tab={tab} setTab={setTab} state={state} />
        <View name="call" tab={tab}>
          {focused && !isRingingInbound(focused) ? <CallCard key={focused.id} store={store} state={state} call={focused} /> : null}
          <AudioDevices model={store.audio} />
          {!focused ? <p class="empty" data-testid="idle">{t("idle_hint")}</p> : null}
          <ContextStatus state={state} />
          <DealSummary state={state} />
        </View>
        <View name="people" tab={tab}>
          <ContextStatus state={state} />
          {state.context ? <PeopleView store={store} state={state} /> : null}
        </View>
        <View name="documents" tab={tab}>
          <ContextStatus state={state} />
          {state.context ? <DocumentsView store={store} state={state} /> : null}
        </View>
        <View name="history" tab={tab}>
          <HistoryView state={state} />
        </View>
      </main>
    </div>
  );
}
