import { describe, expect, it } from "vitest";
import type { CallInfo, EventMessage } from "../../src/protocol/index";
import { testCall, type TestCallClient } from "../../src/options/test-call";

function call(state: CallInfo["state"], patch: Partial<CallInfo> = {}): CallInfo {
  return {
    id: "a".repeat(32), account_id: "alice", direction: "outbound", state, remote_uri: "sip:echo@pbx", remote_display: "",
    dialed: "echo", e164: null, held: false, remote_held: false, muted: false, recording: null, conference: [],
    created_at: 1, answered_at: null, ended_at: null, status_code: null, reason: "", end_cause: null, rtp: null, record: null,
    ...patch,
  } as CallInfo;
}

class Host implements TestCallClient {
  listeners = new Set<(event: EventMessage) => void>();
  sent: { method: string; params: unknown }[] = [];
  constructor(private readonly script: CallInfo[], private readonly fail?: Error) {}
  onEvent(listener: (event: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  request(method: string, params: unknown): Promise<never> {
    this.sent.push({ method, params });
    if (method === "call.place") {
      if (this.fail) return Promise.reject(this.fail);
      setTimeout(() => {
        for (const c of this.script) for (const l of this.listeners) l({ type: "call.updated", seq: 1, payload: { call: c } } as unknown as EventMessage);
      }, 0);
      return Promise.resolve({ call: call("dialing") } as never);
    }
    return Promise.resolve({} as never);
  }
}

describe("the test call", () => {
  it("reports an answered call as success and hangs it up", async () => {
    const host = new Host([call("ringing"), call("confirmed")]);
    const seen: string[] = [];
    const outcome = await testCall(host as unknown as TestCallClient, "alice", "echo", { holdMs: 0, progress: (c) => seen.push(c.state) });
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual(["dialing", "ringing", "confirmed"]);
    expect(host.sent.map((s) => s.method)).toEqual(["call.place", "call.hangup"]);
    expect(host.sent[0]?.params).toEqual({ target: "echo", account_id: "alice" });
    expect(host.listeners.size).toBe(0);
  });

  it("reports the SIP reason of a failed call", async () => {
    const host = new Host([call("disconnected", { status_code: 486, reason: "Busy Here", end_cause: "busy" })]);
    const outcome = await testCall(host as unknown as TestCallClient, "alice", "200", { holdMs: 0 });
    expect(outcome).toMatchObject({ ok: false, reason: "486 Busy Here (busy)" });
    expect(host.sent.map((s) => s.method)).toEqual(["call.place"]);
  });

  it("reports a refused request in the host's words", async () => {
    const host = new Host([], new Error("no account 'nope'"));
    expect(await testCall(host as unknown as TestCallClient, "nope", "1")).toEqual({ ok: false, reason: "no account 'nope'" });
  });

  it("hangs up and says so when nobody answers in time", async () => {
    const host = new Host([call("ringing")]);
    const outcome = await testCall(host as unknown as TestCallClient, "alice", "1", { timeoutMs: 20, holdMs: 0 });
    expect(outcome).toMatchObject({ ok: false, reason: "no answer" });
    expect(host.sent.map((s) => s.method)).toEqual(["call.place", "call.hangup"]);
  });
});
