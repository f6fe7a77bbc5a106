// The options page's "Test call": places a call through one account, follows it by its
// `call.updated` events, and reports whether it was answered (then hangs up after a
// moment) or why it failed, in the host's own words.

import type { CallInfo, EventMessage, MethodName, Params, Result } from "../protocol/index";

/** The part of the background client a test call needs. */
export interface TestCallClient {
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onEvent(listener: (event: EventMessage) => void): () => void;
}

export type TestCallOutcome =
  | { ok: true; call: CallInfo }
  | { ok: false; reason: string; call?: CallInfo };

export interface TestCallOptions {
  /** How long to wait for an answer before hanging up and reporting no answer. */
  timeoutMs?: number;
  /** How long an answered call stays up (so the user hears the echo or voicemail). */
  holdMs?: number;
  /** Hears each state change (ringing, confirmed…). */
  progress?: (call: CallInfo) => void;
}

/** What a failed call's record says: status code and reason, or the end cause. */
export function failureReason(call: CallInfo): string {
  const sip = call.status_code ? `${call.status_code} ${call.reason}`.trim() : call.reason;
  return [sip, call.end_cause && call.end_cause !== "failed" ? `(${call.end_cause})` : ""].filter(Boolean).join(" ") || "the call ended";
}

export async function testCall(client: TestCallClient, accountId: string, target: string, options: TestCallOptions = {}): Promise<TestCallOutcome> {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const holdMs = options.holdMs ?? 3_000;
  const early: CallInfo[] = [];
  let callId: string | null = null;
  let settle: ((call: CallInfo) => void) | null = null;
  const watch = (call: CallInfo): void => {
    options.progress?.(call);
    if (call.state === "confirmed" || call.state === "disconnected") settle?.(call);
  };
  const stop = client.onEvent((event) => {
    if (event.type !== "call.updated") return;
    const call = (event.payload as { call?: CallInfo }).call;
    if (!call) return;
    if (callId === null) early.push(call);
    else if (call.id === callId) watch(call);
  });
  try {
    let placed: CallInfo;
    try {
      placed = (await client.request("call.place", { target, account_id: accountId })).call;
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    callId = placed.id;
    const outcome = new Promise<CallInfo | null>((resolve) => {
      settle = resolve;
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const done = settle;
      settle = (call) => {
        clearTimeout(timer);
        done(call);
      };
    });
    watch(placed);
    for (const call of early.filter((c) => c.id === callId)) watch(call);
    const result = await outcome;
    if (result === null) {
      await client.request("call.hangup", { call_id: placed.id }).catch(() => undefined);
      return { ok: false, reason: "no answer", call: placed };
    }
    if (result.state === "disconnected") return { ok: false, reason: failureReason(result), call: result };
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await client.request("call.hangup", { call_id: placed.id }).catch(() => undefined);
    return { ok: true, call: result };
  } finally {
    stop();
  }
}
