// The side panel's model: the calls the host reports, which one the panel follows, the
// opportunity that call is about (people by role, documents, history), and every action
// the panel offers on them. Components only read its snapshots and call its methods;
// everything that reaches the host goes through `PanelClient.request`, so the model is
// tested without a browser.

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
  Role,
} from "../protocol/index";
import { orderGroups } from "./people";

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

const PAGE_SIZE = 500;
const NOTES_DEBOUNCE_MS = 700;
const PRESENCE_LIMIT = 50;
const HISTORY_LIMIT = 20;

export function isLive(call: CallInfo): boolean {
  return call.state !== "disconnected";
}

export function isRingingInbound(call: CallInfo): boolean {
  return call.direction === "inbound" && call.state === "ringing";
}

/** The first dialable number or address of a contact: an E.164 phone, else its SIP URI. */
export function contactTarget(card: ContactCard): string | null {
  for (const phone of card.contact.phones ?? []) if (phone.e164) return phone.e164;
  return card.contact.sip_uri ?? null;
}

function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  return typeof e.message === "string" ? e.message : String(err);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : "internal";
}

/** A CRM the host can write back to, when the call's page came from one. */
function writeBackCrm(call: CallInfo | undefined): "salesforce" | "dynamics" | "hubspot" | undefined {
  const crm = call?.record?.crm;
  return crm === "salesforce" || crm === "dynamics" || crm === "hubspot" ? crm : undefined;
}

export class PanelStore {
  private state: PanelState = INITIAL;
  private readonly listeners = new Set<(state: PanelState) => void>();
  private contextToken = 0;
  private notesTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private subscribed = new Set<string>();
  /** Calls placed from the panel, and the opportunity they were placed for. */
  private readonly placedFor = new Map<string, string>();
  /** The opportunity of a call being placed from the panel, until its first event. */
  private placing: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly client: PanelClient) {}

  get snapshot(): PanelState {
    return this.state;
  }

  subscribe(listener: (state: PanelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts following the host's events and loads the calls and accounts it has now. */
  start(): void {
    this.unsubscribe ??= this.client.onEvent((event) => this.onEvent(event));
    void this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Reloads calls and accounts (after a (re)connection to the host). */
  async refresh(): Promise<void> {
    try {
      const { calls } = await this.client.request("calls.list", {});
      const known = new Map(this.state.calls.map((c) => [c.id, c]));
      for (const call of calls ?? []) known.set(call.id, call);
      const all = [...known.values()].sort((a, b) => a.created_at - b.created_at);
      this.set({ calls: all });
      if (this.state.focusId === null) {
        const live = all.filter(isLive);
        const pick = live.at(-1) ?? all.filter((c) => c.direction === "outbound" || c.answered_at !== null).at(-1);
        if (pick) this.focus(pick.id);
      }
    } catch {
      // not connected yet: the connection state says so; events will fill in
    }
    void this.loadAccounts();
  }

  private async loadAccounts(): Promise<void> {
    try {
      const { accounts } = await this.client.request("account.list", {});
      this.set({ accounts: accounts ?? [] });
    } catch {
      // shown through the connection state
    }
  }

  // ---- events -------------------------------------------------------------------

  private onEvent(event: EventMessage): void {
    const payload = event.payload as Record<string, unknown>;
    if (event.type === "call.updated") this.onCall(payload.call as CallInfo);
    else if (event.type === "presence.updated") {
      const uri = String(payload.uri);
      this.set({ presence: { ...this.state.presence, [uri]: payload.status as PresenceStatus } });
    } else if (event.type === "account.registration") void this.loadAccounts();
    else if (event.type === "message.status" && payload.ok === false) {
      this.notify("error", "notice_message_failed", [String(payload.status_code ?? ""), String(payload.reason ?? "")]);
    }
  }

  private onCall(call: CallInfo): void {
    const existing = this.state.calls.find((c) => c.id === call.id);
    const calls = existing
      ? this.state.calls.map((c) => (c.id === call.id ? call : c))
      : [...this.state.calls, call];
    this.set({ calls });
    const consultOf = Object.entries(this.state.consults).find(([, id]) => id === call.id)?.[0];
    if (consultOf) return; // the main call keeps the card
    if (!existing && this.placing && call.direction === "outbound" && !call.record) {
      this.placedFor.set(call.id, this.placing);
      this.placing = null;
    }
    const focused = this.focused();
    if (!existing && isLive(call)) {
      if (!focused || !isLive(focused) || focused.id === call.id) this.focus(call.id);
      else if (isRingingInbound(call)) void this.lookUpRinging(call);
      return;
    }
    if (existing && isRingingInbound(existing) && isLive(call) && !isRingingInbound(call) && call.id !== this.state.focusId) {
      this.focus(call.id); // answered here or elsewhere
      return;
    }
    if (existing && !existing.record && call.record && call.id === this.state.focusId && !this.placedFor.has(call.id)) {
      void this.loadContextForCall(call); // the page it was placed from is known now
      return;
    }
    if (call.id === this.state.focusId && !isLive(call)) void this.loadHistory();
    if (existing && isRingingInbound(existing) && !isLive(call) && this.state.matches.length && !focused) {
      this.set({ matches: [] });
    }
  }

  focused(): CallInfo | undefined {
    return this.state.calls.find((c) => c.id === this.state.focusId);
  }

  /** Ringing inbound calls, newest first. */
  ringing(): CallInfo[] {
    return this.state.calls.filter(isRingingInbound).reverse();
  }

  /** Follows `callId`: the card shows it and the context is loaded for it. */
  focus(callId: string): void {
    if (this.state.focusId === callId && this.state.contextStatus !== "idle") return;
    this.set({ focusId: callId });
    const call = this.focused();
    if (call) void this.loadContextForCall(call);
  }

  // ---- context ------------------------------------------------------------------

  private async loadContextForCall(call: CallInfo): Promise<void> {
    const token = ++this.contextToken;
    this.set({ contextStatus: "loading", contextError: "", matches: [] });
    const placed = this.placedFor.get(call.id);
    if (placed) {
      await this.loadOpportunity(placed, token);
      return;
    }
    try {
      if (call.record) {
        const result = await this.client.request("context.get", { call_id: call.id, page_size: PAGE_SIZE });
        if (token !== this.contextToken) return;
        if (result.context) {
          await this.applyContext(result.context, { call_id: call.id }, token);
          return;
        }
      }
    } catch (err) {
      if (errorCode(err) !== "not_found") {
        if (token === this.contextToken) this.set({ contextStatus: "error", contextError: errorText(err) });
        return;
      }
    }
    const phone = call.e164 ?? userPartNumber(call.remote_uri);
    if (!phone) {
      if (token === this.contextToken) this.set({ contextStatus: "none", context: null, people: [], documents: [] });
      return;
    }
    await this.lookUpCaller(phone, token);
  }

  /** Caller lookup: the deal when one matches, a picker when several do. */
  async lookUpCaller(phone: string, token = ++this.contextToken): Promise<void> {
    try {
      const result = await this.client.request("context.get", { phone, page_size: PAGE_SIZE });
      if (token !== this.contextToken) return;
      const deals = new Set(result.matches.map((m) => m.opportunity_id).filter((id) => id !== null));
      if (result.context) {
        await this.applyContext(result.context, { phone }, token);
        this.set({ matches: deals.size > 1 ? result.matches : [] });
      } else {
        this.set({
          context: null,
          people: [],
          documents: [],
          history: [],
          matches: result.matches,
          contextStatus: "none",
        });
      }
    } catch (err) {
      if (token === this.contextToken) this.set({ contextStatus: "error", contextError: errorText(err) });
    }
  }

  /** Names a ringing call shown beside the followed one. */
  private async lookUpRinging(call: CallInfo): Promise<void> {
    const phone = call.e164 ?? userPartNumber(call.remote_uri);
    if (!phone) return;
    try {
      const { matches } = await this.client.request("context.get", { phone, page_size: 1 });
      this.set({ callers: { ...this.state.callers, [call.id]: matches ?? [] } });
    } catch {
      // shown by number
    }
  }

  /** Shows one opportunity (the picker's choice, or a call placed from the panel). */
  async pickOpportunity(opportunityId: string): Promise<void> {
    const call = this.focused();
    if (call) {
      this.placedFor.set(call.id, opportunityId);
      // The call log takes the user's pick: the number alone could not say which deal.
      void this.client
        .request("calllog.update", { call_id: call.id, opportunity_id: opportunityId })
        .catch((err: unknown) => this.notify("error", "notice_save_failed", [errorText(err)]));
    }
    await this.loadOpportunity(opportunityId, ++this.contextToken, true);
  }

  private async loadOpportunity(opportunityId: string, token: number, keepMatches = false): Promise<void> {
    this.set({ contextStatus: "loading", contextError: "", ...(keepMatches ? {} : { matches: [] }) });
    try {
      const result = await this.client.request("context.get", { opportunity_id: opportunityId, page_size: PAGE_SIZE });
      if (token !== this.contextToken) return;
      if (result.context) await this.applyContext(result.context, { opportunity_id: opportunityId }, token);
      else this.set({ contextStatus: "none", context: null, people: [], documents: [] });
    } catch (err) {
      if (token === this.contextToken) this.set({ contextStatus: "error", contextError: errorText(err) });
    }
  }

  /** Takes a first page, fetches the rest of the contacts and documents, then history. */
  private async applyContext(
    first: OpportunityContext,
    query: Params<"context.get">,
    token: number,
  ): Promise<void> {
    let people = first.groups.flatMap((g) => g.contacts);
    let documents = [...first.documents];
    let nextContacts = first.next_contacts_offset;
    let nextDocuments = first.next_documents_offset;
    while (nextContacts !== null || nextDocuments !== null) {
      const page = await this.client.request("context.get", {
        ...query,
        opportunity_id: first.opportunity.id,
        page_size: PAGE_SIZE,
        contacts_offset: nextContacts ?? first.total_contacts,
        documents_offset: nextDocuments ?? first.total_documents,
      });
      if (token !== this.contextToken || !page.context) return;
      if (nextContacts !== null) people = people.concat(page.context.groups.flatMap((g) => g.contacts));
      if (nextDocuments !== null) documents = documents.concat(page.context.documents);
      nextContacts = nextContacts !== null ? page.context.next_contacts_offset : null;
      nextDocuments = nextDocuments !== null ? page.context.next_documents_offset : null;
    }
    this.set({
      context: first,
      people: orderGroups(people),
      documents,
      contextStatus: "ready",
      contextError: "",
    });
    this.watchPresence(people);
    void this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    const opportunityId = this.state.context?.opportunity.id;
    if (!opportunityId) return;
    this.set({ historyStatus: "loading" });
    try {
      const { calls } = await this.client.request("calllog.list", { opportunity_id: opportunityId, limit: HISTORY_LIMIT });
      if (this.state.context?.opportunity.id === opportunityId) this.set({ history: calls ?? [], historyStatus: "ready" });
    } catch {
      this.set({ historyStatus: "error" });
    }
  }

  private watchPresence(people: ContactCard[]): void {
    const uris = people
      .map((p) => p.contact.sip_uri)
      .filter((uri): uri is string => typeof uri === "string" && uri.startsWith("sip"))
      .slice(0, PRESENCE_LIMIT);
    for (const uri of this.subscribed) {
      if (!uris.includes(uri)) void this.client.request("presence.unsubscribe", { uri }).catch(() => undefined);
    }
    for (const uri of uris) {
      if (!this.subscribed.has(uri)) void this.client.request("presence.subscribe", { uri }).catch(() => undefined);
    }
    this.subscribed = new Set(uris);
  }

  /** Marks the moment people and documents of the current context are on screen. */
  markShown(): void {
    this.state = { ...this.state, contextShownAt: Date.now() };
  }

  // ---- call controls --------------------------------------------------------------

  private async act(run: () => Promise<unknown>, failKey = "notice_action_failed"): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (err) {
      this.notify("error", failKey, [errorText(err)]);
      return false;
    }
  }

  private callId(): string | null {
    return this.state.focusId;
  }

  toggleMute(): Promise<boolean> {
    const call = this.focused();
    if (!call) return Promise.resolve(false);
    return this.act(() => this.client.request(call.muted ? "call.unmute" : "call.mute", { call_id: call.id }));
  }

  toggleHold(): Promise<boolean> {
    const call = this.focused();
    if (!call) return Promise.resolve(false);
    return this.act(() => this.client.request(call.held ? "call.resume" : "call.hold", { call_id: call.id }));
  }

  toggleRecord(): Promise<boolean> {
    const call = this.focused();
    if (!call) return Promise.resolve(false);
    return this.act(() => this.client.request("call.record", { call_id: call.id, on: call.recording === null }));
  }

  sendDigits(digits: string): Promise<boolean> {
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return this.act(() => this.client.request("call.dtmf", { call_id: id, digits }));
  }

  hangUp(callId = this.callId()): Promise<boolean> {
    if (!callId) return Promise.resolve(false);
    return this.act(() => this.client.request("call.hangup", { call_id: callId }));
  }

  answer(callId: string): Promise<boolean> {
    return this.act(async () => {
      const focused = this.focused();
      if (focused && isLive(focused) && !focused.held && focused.state === "confirmed") {
        await this.client.request("call.hold", { call_id: focused.id });
      }
      await this.client.request("call.answer", { call_id: callId });
      this.focus(callId);
    });
  }

  decline(callId: string): Promise<boolean> {
    return this.act(() => this.client.request("call.decline", { call_id: callId, code: 486 }));
  }

  transferBlind(target: string): Promise<boolean> {
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return this.act(async () => {
      await this.client.request("call.transfer", { call_id: id, target });
      this.notify("info", "notice_transferred", [target]);
    }, "notice_transfer_failed");
  }

  /** Attended transfer, first half: hold this call and call the target. */
  consult(target: string): Promise<boolean> {
    const call = this.focused();
    if (!call) return Promise.resolve(false);
    return this.act(async () => {
      if (!call.held) await this.client.request("call.hold", { call_id: call.id });
      const placed = await this.client.request("call.place", { target, account_id: call.account_id });
      this.set({ consults: { ...this.state.consults, [call.id]: placed.call.id } });
      if (!this.state.calls.some((c) => c.id === placed.call.id)) {
        this.set({ calls: [...this.state.calls, placed.call] });
      }
    }, "notice_transfer_failed");
  }

  /** Attended transfer, second half: the two other parties are connected. */
  completeTransfer(): Promise<boolean> {
    const id = this.callId();
    const consultId = id ? this.state.consults[id] : undefined;
    if (!id || !consultId) return Promise.resolve(false);
    return this.act(async () => {
      await this.client.request("call.transfer_attended", { call_id: id, consult_call_id: consultId });
      const { [id]: _done, ...rest } = this.state.consults;
      this.set({ consults: rest });
      this.notify("info", "notice_transferred", [""]);
    }, "notice_transfer_failed");
  }

  /** Hangs up the consultation and goes back to the held call. */
  cancelConsult(): Promise<boolean> {
    const id = this.callId();
    const consultId = id ? this.state.consults[id] : undefined;
    if (!id || !consultId) return Promise.resolve(false);
    return this.act(async () => {
      await this.client.request("call.hangup", { call_id: consultId }).catch(() => undefined);
      const { [id]: _gone, ...rest } = this.state.consults;
      this.set({ consults: rest });
      await this.client.request("call.resume", { call_id: id });
    });
  }

  addParticipant(target: string): Promise<boolean> {
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return this.act(async () => {
      const { call } = await this.client.request("call.add_participant", { call_id: id, target });
      if (this.state.context) this.placedFor.set(call.id, this.state.context.opportunity.id);
      this.notify("info", "notice_added", [target]);
    }, "notice_add_failed");
  }

  /** Calls a contact of the opportunity in view; the call stays tied to that deal. */
  callTarget(target: string): Promise<boolean> {
    const opportunityId = this.state.context?.opportunity.id;
    this.placing = opportunityId ?? null;
    return this.act(async () => {
      try {
        const { call } = await this.client.request("call.place", { target });
        if (opportunityId && !this.placedFor.has(call.id)) this.placedFor.set(call.id, opportunityId);
        if (!this.state.calls.some((c) => c.id === call.id)) this.onCall(call);
      } finally {
        this.placing = null;
      }
    }, "notice_call_failed");
  }

  // ---- notes and wrap-up -----------------------------------------------------------

  /** Keeps the call's notes and saves them shortly after typing stops. */
  editNotes(callId: string, text: string): void {
    this.set({ notes: { ...this.state.notes, [callId]: { text, status: "saving", error: "" } } });
    const pending = this.notesTimers.get(callId);
    if (pending !== undefined) clearTimeout(pending);
    this.notesTimers.set(
      callId,
      setTimeout(() => {
        this.notesTimers.delete(callId);
        void this.saveNotes(callId);
      }, NOTES_DEBOUNCE_MS),
    );
  }

  async saveNotes(callId: string): Promise<boolean> {
    const entry = this.state.notes[callId];
    if (!entry) return true;
    const text = entry.text;
    try {
      await this.client.request("calllog.update", { call_id: callId, notes: text });
      const now = this.state.notes[callId];
      if (now?.text === text) this.set({ notes: { ...this.state.notes, [callId]: { text, status: "saved", error: "" } } });
      return true;
    } catch (err) {
      this.set({ notes: { ...this.state.notes, [callId]: { text, status: "error", error: errorText(err) } } });
      return false;
    }
  }

  setDisposition(callId: string, disposition: string): void {
    this.set({ disposition: { ...this.state.disposition, [callId]: disposition } });
  }

  /** Wrap-up done: notes, disposition and documents go to the log and on to the CRM. */
  async finishWrapUp(callId: string): Promise<boolean> {
    const pending = this.notesTimers.get(callId);
    if (pending !== undefined) clearTimeout(pending);
    this.notesTimers.delete(callId);
    const notes = this.state.notes[callId]?.text;
    const ok = await this.act(() =>
      this.client.request("calllog.update", {
        call_id: callId,
        disposition: this.state.disposition[callId] ?? "",
        ...(notes !== undefined ? { notes } : {}),
        final: true,
      }),
    );
    if (!ok) return false;
    this.set({ wrappedUp: [...this.state.wrappedUp, callId] });
    this.notify("info", "notice_logged", []);
    void this.loadHistory();
    return true;
  }

  // ---- people -------------------------------------------------------------------------

  /**
   * An edit, also written back to the CRM the followed call's page came from; stored
   * here alone when that CRM is not set up on this computer.
   */
  private async withWriteBack<M extends "context.set_role" | "context.add_note">(method: M, params: Params<M>): Promise<void> {
    const crm = writeBackCrm(this.focused());
    try {
      await this.client.request(method, { ...params, ...(crm ? { crm } : {}) });
    } catch (err) {
      if (!crm || errorCode(err) !== "unavailable") throw err;
      await this.client.request(method, params);
    }
  }

  async setRole(card: ContactCard, role: Role, isPrimary: boolean): Promise<boolean> {
    const context = this.state.context;
    if (!context) return false;
    const params = { opportunity_id: context.opportunity.id, contact_id: card.contact.id, role, is_primary: isPrimary };
    const ok = await this.act(() => this.withWriteBack("context.set_role", params), "notice_save_failed");
    if (!ok) return false;
    const people = orderGroups(
      this.state.people.map((p) => {
        if (p.contact.id === card.contact.id) return { ...p, role, is_primary: isPrimary };
        return isPrimary ? { ...p, is_primary: false } : p;
      }),
    );
    const present = new Set(people.map((p) => p.role));
    const missing = context.missing_roles.filter((r) => !present.has(r));
    const keyRoles: Role[] = ["decision_maker", "economic_buyer"];
    for (const r of keyRoles) if (!present.has(r) && !missing.includes(r)) missing.push(r);
    this.set({ people, context: { ...context, missing_roles: keyRoles.filter((r) => missing.includes(r)) } });
    this.notify("info", "notice_saved", []);
    return true;
  }

  async addNote(card: ContactCard, body: string): Promise<boolean> {
    const context = this.state.context;
    const params = { contact_id: card.contact.id, body, ...(context ? { opportunity_id: context.opportunity.id } : {}) };
    const ok = await this.act(() => this.withWriteBack("context.add_note", params), "notice_save_failed");
    if (!ok) return false;
    this.set({
      people: this.state.people.map((p) => (p.contact.id === card.contact.id ? { ...p, notes: [...p.notes, body] } : p)),
    });
    this.notify("info", "notice_saved", []);
    return true;
  }

  sendMessage(to: string, text: string): Promise<boolean> {
    return this.act(async () => {
      await this.client.request("message.send", { to, text });
      this.notify("info", "notice_message_sent", [to]);
    }, "notice_message_failed_send");
  }

  // ---- documents ------------------------------------------------------------------------

  /** Sends the document's link into the call as a message and logs it as presented. */
  async present(doc: Document): Promise<boolean> {
    const call = this.focused();
    if (!call || !isLive(call) || !doc.url) return false;
    const done = this.state.presented[call.id] ?? [];
    const ok = await this.act(async () => {
      await this.client.request("call.message", { call_id: call.id, text: `${doc.title}: ${doc.url}` });
      const presented = done.includes(doc.id) ? done : [...done, doc.id];
      this.set({ presented: { ...this.state.presented, [call.id]: presented } });
      await this.client.request("calllog.update", { call_id: call.id, documents_presented: presented });
    }, "notice_present_failed");
    if (ok) this.notify("info", "notice_presented", [doc.title]);
    return ok;
  }

  // ---- notices --------------------------------------------------------------------------

  notify(kind: Notice["kind"], key: string, subs: string[]): void {
    this.set({ notice: { kind, key, subs, at: Date.now() } });
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }

  private set(patch: Partial<PanelState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener(this.state);
  }
}

/** "+14155550100" from "sip:+14155550100@host" or "<tel:+1…>", when the user part is a number. */
export function userPartNumber(uri: string): string | null {
  const match = /^(?:.*<)?(?:sips?|tel):([+0-9][0-9().\- ]{5,30})(?:[@;>]|$)/i.exec(uri.trim());
  if (!match?.[1]) return null;
  const digits = match[1].replace(/[().\- ]/g, "");
  return /^\+?[0-9]{6,15}$/.test(digits) ? digits : null;
}
