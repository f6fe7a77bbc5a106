import { describe, expect, it, vi } from "vitest";
import type { HostConnection } from "../src/background/host-connection";
import type { Logger } from "../src/background/logger";
import { PageCalls } from "../src/background/page-calls";
import type { PageRecord } from "../src/protocol/index";

vi.stubGlobal("navigator", { language: "en-US", languages: ["en-US"] });

const record = { crm: "salesforce", record_id: "0065g00000XyZ12", url: "https://acme.my.salesforce.com/x" } as PageRecord;

/** A host that answers `call.place` when told to, and records every request. */
class FakeHost {
  readonly requests: Array<{ method: string; params: Record<string, unknown> }> = [];
  private placeAnswers: Array<(value: unknown) => void> = [];
  refusePage = false;

  onEvent(): () => void {
    return () => undefined;
  }

  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    this.requests.push({ method, params });
    if (method === "call.place") return new Promise((resolve) => this.placeAnswers.push(resolve));
    if (method === "call.page" && this.refusePage && params.snapshot) {
      return Promise.reject(Object.assign(new Error("snapshot: too many people"), { code: "invalid_message" }));
    }
    return Promise.resolve({ call: { id: params.call_id } });
  }

  answerPlace(callId: string): void {
    this.placeAnswers.shift()?.({ call: { id: callId } });
  }

  failPlace(): void {
    const answer = this.placeAnswers.shift();
    if (answer) answer(Promise.reject(Object.assign(new Error("busy"), { code: "busy" })));
  }

  pages(): Array<Record<string, unknown>> {
    return this.requests.filter((r) => r.method === "call.page").map((r) => r.params);
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

function setUp(): { host: FakeHost; calls: PageCalls } {
  const host = new FakeHost();
  return { host, calls: new PageCalls(host as unknown as HostConnection, quiet) };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("a page call's page, sent after the call", () => {
  it("dials without waiting for the page, and hands the page over once the call has an id", async () => {
    const { host, calls } = setUp();
    const placing = calls.place({ target: "+14155550132", record: null, snapshot: null, tabId: 1, pageKey: "1:0:a-1" });
    await tick();
    expect(host.requests.map((r) => r.method)).toEqual(["call.place"]);
    expect(host.requests[0]?.params).toEqual({ target: "+14155550132" });
    calls.pageOf("1:0:a-1", record, null); // read while the INVITE went out
    await tick();
    expect(host.pages()).toEqual([]);
    host.answerPlace("c-7");
    expect(await placing).toMatchObject({ ok: true, callId: "c-7" });
    await tick();
    expect(host.pages()).toEqual([{ call_id: "c-7", record }]);
  });

  it("hands the page over at once when the call was placed before it came", async () => {
    const { host, calls } = setUp();
    const placing = calls.place({ target: "+14155550132", record: null, snapshot: null, tabId: 1, pageKey: "1:0:a-2" });
    await tick();
    host.answerPlace("c-8");
    await placing;
    expect(host.pages()).toEqual([]);
    calls.pageOf("1:0:a-2", record, null);
    await tick();
    expect(host.pages()).toEqual([{ call_id: "c-8", record }]);
    calls.pageOf("1:0:a-2", record, null); // a second page for the same click names no call
    await tick();
    expect(host.pages()).toHaveLength(1);
  });

  it("sends no page for a call that failed, nor for one whose page never came", async () => {
    const { host, calls } = setUp();
    const failing = calls.place({ target: "+14155550132", record: null, snapshot: null, tabId: 1, pageKey: "1:0:b-1" });
    await tick();
    host.failPlace();
    expect(await failing).toMatchObject({ ok: false, error: { code: "busy" } });
    const lone = calls.place({ target: "+14155550133", record: null, snapshot: null, tabId: 1, pageKey: "1:0:b-2" });
    await tick();
    host.answerPlace("c-9");
    await lone;
    calls.pageOf("1:0:b-3", record, null); // another click's page: not this call's
    await tick();
    expect(host.pages()).toEqual([]);
  });

  it("keeps the record when the host refuses the snapshot", async () => {
    const { host, calls } = setUp();
    host.refusePage = true;
    const snapshot = { title: "Acme renewal" } as never;
    calls.pageOf("1:0:c-1", record, snapshot);
    const placing = calls.place({ target: "+14155550132", record: null, snapshot: null, tabId: 1, pageKey: "1:0:c-1" });
    await tick();
    host.answerPlace("c-10");
    await placing;
    await tick();
    await tick();
    expect(host.pages()).toEqual([{ call_id: "c-10", record, snapshot }, { call_id: "c-10", record }]);
  });
});
