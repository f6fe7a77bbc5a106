// The panel's one state object: its type, its first value, and the core every part of the
// model shares — the snapshot and its subscribers, notices, the host client, the guard that
// turns a failed request into a notice, and which deal each call placed from the panel is for.

import type {
  AccountStatus,
  CallInfo,
  CallerMatch,
  ContactCard,
  Document,
  EventMessage,
  LoggedCall,
  MethodName,
  OpportunityContext,
  Params,
  PresenceStatus,
  Result,
} from "../../protocol/index";

/** What the model needs of the background connection (BackgroundClient has it). */
export interface PanelClient {
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onEvent(listener: (event: EventMessage) => void): () => void;
}

export type LoadStatus = "idle" | "loading" | "ready" | "none" | "error";
export type SaveStatus = "idle" | "saving" | "saved" | "error";

export interface Notice {
  kind: "info" | "error";
  /** A message key and its substitutions, translated when shown. */
  key: string;
  subs: string[];
  at: number;
}

export interface PanelState {
  /** Every call the host reported since the panel opened, oldest first. */
  calls: CallInfo[];
  /** The call the call card shows (it stays after the call ends, for wrap-up). */
  focusId: string | null;
  /** A second call placed to consult a transfer target, per call. */
  consults: Record<string, string>;
  /** The opportunity in view and where it came from. */
  context: OpportunityContext | null;
  contextStatus: LoadStatus;
  contextError: string;
  /** Every contact of the opportunity (all pages), in the fixed role order. */
  people: ContactCard[];
  documents: Document[];
  /** Contacts whose number matched an inbound caller, when more than one deal matched. */
  matches: CallerMatch[];
  /** Who a ringing call that is not followed is from (its caller lookup), per call. */
  callers: Record<string, CallerMatch[]>;
  history: LoggedCall[];
  historyStatus: LoadStatus;
  /** Documents presented, per call. */
  presented: Record<string, string[]>;
  presence: Record<string, PresenceStatus>;
  accounts: AccountStatus[];
  notes: Record<string, { text: string; status: SaveStatus; error: string }>;
  disposition: Record<string, string>;
  /** Calls whose wrap-up is done (the card then shows the next call or nothing). */
  wrappedUp: string[];
  notice: Notice | null;
  /** Date.now() when people and documents of the current context were last rendered complete. */
  contextShownAt: number;
}

const INITIAL: PanelState = {
  calls: [],
  focusId: null,
  consults: {},
  context: null,
  contextStatus: "idle",
  contextError: "",
  people: [],
  documents: [],
  matches: [],
  callers: {},
  history: [],
  historyStatus: "idle",
  presented: {},
  presence: {},
  accounts: [],
  notes: {},
  disposition: {},
  wrappedUp: [],
  notice: null,
  contextShownAt: 0,
};

export function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  return typeof e.message === "string" ? e.message : String(err);
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : "internal";
}

export class StoreCore {
  private current: PanelState = INITIAL;
  private readonly listeners = new Set<(state: PanelState) => void>();
  /** Calls placed from the panel, and the opportunity they were placed for. */
  readonly placedFor = new Map<string, string>();
  /** The opportunity of a call being placed from the panel, until its first event. */
  placing: string | null = null;

  constructor(readonly client: PanelClient) {}

  get state(): PanelState {
    return this.current;
  }

  subscribe(listener: (state: PanelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes the state and tells every subscriber. */
  set(patch: Partial<PanelState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of [...this.listeners]) listener(this.current);
  }

  /** Changes the state without a render (bookkeeping the view itself reports). */
  setQuietly(patch: Partial<PanelState>): void {
    this.current = { ...this.current, ...patch };
  }

  /** The call the card follows. */
  focused(): CallInfo | undefined {
    return this.current.calls.find((c) => c.id === this.current.focusId);
  }

  notify(kind: Notice["kind"], key: string, subs: string[]): void {
    this.set({ notice: { kind, key, subs, at: Date.now() } });
  }

  /** Runs a request; a failure becomes an error notice and `false`. */
  async act(run: () => Promise<unknown>, failKey = "notice_action_failed"): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (err) {
      this.notify("error", failKey, [errorText(err)]);
      return false;
    }
  }
}
