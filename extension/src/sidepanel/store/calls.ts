// The calls the host reports and the one the panel follows: `calls.list` and
// `account.list` after each (re)connection, then the host's events (`call.updated`,
// `presence.updated`, `account.registration`, `message.status`). A new call takes the card
// unless another is live; an answered inbound call does; a consultation never does.

import type { CallInfo, EventMessage, PresenceStatus } from "../../protocol/index";
import type { DealContext } from "./deal";
import { isLive, isRingingInbound } from "./facts";
import type { StoreCore } from "./state";

export class CallTracker {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly core: StoreCore,
    private readonly deal: DealContext,
  ) {}

  /** Starts following the host's events and loads the calls and accounts it has now. */
  start(): void {
    this.unsubscribe ??= this.core.client.onEvent((event) => this.onEvent(event));
    void this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Reloads calls and accounts (after a (re)connection to the host). */
  async refresh(): Promise<void> {
    const core = this.core;
    try {
      const { calls } = await core.client.request("calls.list", {});
      const known = new Map(core.state.calls.map((c) => [c.id, c]));
      for (const call of calls ?? []) known.set(call.id, call);
      const all = [...known.values()].sort((a, b) => a.created_at - b.created_at);
      core.set({ calls: all });
      if (core.state.focusId === null) {
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
      const { accounts } = await this.core.client.request("account.list", {});
      this.core.set({ accounts: accounts ?? [] });
    } catch {
      // shown through the connection state
    }
  }

  private onEvent(event: EventMessage): void {
    const payload = event.payload as Record<string, unknown>;
    if (event.type === "call.updated") this.onCall(payload.call as CallInfo);
    else if (event.type === "presence.updated") this.deal.onPresence(String(payload.uri), payload.status as PresenceStatus);
    else if (event.type === "account.registration") void this.loadAccounts();
    else if (event.type === "message.status" && payload.ok === false) {
      this.core.notify("error", "notice_message_failed", [String(payload.status_code ?? ""), String(payload.reason ?? "")]);
    } else if (event.type === "calllog.write_failed") {
      // the host could not write this call to the call log (a full disk): say so, never drop it
      this.core.notify("error", "notice_calllog_write_failed", [String(payload.reason ?? "")]);
    }
  }

  /** A call as the host now reports it (an event, or the answer to placing it). */
  onCall(call: CallInfo): void {
    const core = this.core;
    const existing = core.state.calls.find((c) => c.id === call.id);
    const calls = existing ? core.state.calls.map((c) => (c.id === call.id ? call : c)) : [...core.state.calls, call];
    core.set({ calls });
    const consultOf = Object.entries(core.state.consults).find(([, id]) => id === call.id)?.[0];
    if (consultOf) return; // the main call keeps the card
    if (!existing && core.placing && call.direction === "outbound" && !call.record) {
      core.placedFor.set(call.id, core.placing);
      core.placing = null;
    }
    const focused = core.focused();
    if (!existing && isLive(call)) {
      if (!focused || !isLive(focused) || focused.id === call.id) this.focus(call.id);
      else if (isRingingInbound(call)) void this.deal.lookUpRinging(call);
      return;
    }
    if (existing && isRingingInbound(existing) && isLive(call) && !isRingingInbound(call) && call.id !== core.state.focusId) {
      this.focus(call.id); // answered here or elsewhere
      return;
    }
    if (existing && !existing.record && call.record && call.id === core.state.focusId && !core.placedFor.has(call.id)) {
      void this.deal.loadContextForCall(call); // the page it was placed from is known now
      return;
    }
    if (call.id === core.state.focusId && !isLive(call)) void this.deal.loadHistory();
    if (existing && isRingingInbound(existing) && !isLive(call) && core.state.matches.length && !focused) {
      core.set({ matches: [] });
    }
  }

  /** Ringing inbound calls, newest first. */
  ringing(): CallInfo[] {
    return this.core.state.calls.filter(isRingingInbound).reverse();
  }

  /** Follows `callId`: the card shows it and the context is loaded for it. */
  focus(callId: string): void {
    const core = this.core;
    if (core.state.focusId === callId && core.state.contextStatus !== "idle") return;
    core.set({ focusId: callId });
    const call = core.focused();
    if (call) void this.deal.loadContextForCall(call);
  }
}
