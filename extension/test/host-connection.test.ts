import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { vi } from "vitest";
import { HostConnection } from "../src/background/host-connection";
import { HostError } from "../src/background/host-error";
import { createLogger, type Logger } from "../src/background/logger";
import { base64ToBytes, splitBytes } from "../src/protocol/chunks";
import { CHUNK_SLICE_BYTES, MAX_FRAME_BYTES, type ChunkMessage, type EventMessage } from "../src/protocol/index";
import type { ConnectionState } from "../src/shared/state";
import { FakeBrowser, helloResult, type FakePort } from "./fake-port";

let browser: FakeBrowser;
let logger: Logger;
let states: ConnectionState[];

function makeConnection(overrides: Partial<ConstructorParameters<typeof HostConnection>[0]> = {}): HostConnection {
  const host = new HostConnection({
    connectNative: browser.connectNative,
    disconnectError: browser.disconnectError,
    client: { name: "rolecall-extension", version: "0.1.0", browser: "chromium 156" },
    browser: "chromium",
    logger,
    random: () => 0.5, // no jitter: delays are exactly 0.5 s, 1 s, 2 s, …
    ...overrides,
  });
  host.onState((state) => states.push(state));
  return host;
}

/** Starts a connection and completes `hello`. */
function connected(overrides: Record<string, unknown> = {}): { host: HostConnection; port: FakePort } {
  const host = makeConnection();
  host.start();
  const port = browser.port;
  port.answer(port.lastRequest().id, helloResult(overrides));
  return { host, port };
}

/** Lets promise callbacks run (fake timers do not advance microtasks by themselves). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

async function rejection(promise: Promise<unknown>): Promise<HostError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HostError);
    return err as HostError;
  }
  throw new Error("expected a rejection");
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  browser = new FakeBrowser();
  logger = createLogger({ console: false });
  states = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe("hello", () => {
  it("connects to com.rolecall.host and sends hello first", () => {
    const host = makeConnection();
    host.start();
    expect(browser.ports).toHaveLength(1);
    expect(browser.port.name).toBe("com.rolecall.host");
    expect(browser.port.sent).toEqual([
      {
        v: 1,
        kind: "request",
        id: "r-1",
        type: "hello",
        payload: {
          client: { name: "rolecall-extension", version: "0.1.0", browser: "chromium 156" },
          protocols: [1],
          capabilities: [],
        },
      },
    ]);
    expect(host.state().status).toBe("connecting");
  });

  it("is connected after hello, with the host's version, protocol and daemon pid", async () => {
    const { host } = connected();
    await flush();
    const state = host.state();
    expect(state).toMatchObject({ status: "connected", hostVersion: "0.1.0", protocol: 1, daemonPid: 4242 });
    expect(state.message).toMatch(/Connected/);
    expect(state.fix).toBeUndefined();
    expect(state.retryInMs).toBeUndefined();
    expect(state.since).toBe(Date.now());
    expect(host.hello?.client_id).toBe(7);
    expect(states.map((s) => s.status)).toEqual(["connecting", "connected"]);
  });

  it("start() is idempotent", () => {
    const host = makeConnection();
    host.start();
    host.start();
    expect(browser.ports).toHaveLength(1);
  });

  it("hello waits 20 s, then fails, disconnects and schedules a retry", async () => {
    const host = makeConnection();
    host.start();
    const port = browser.port;
    await vi.advanceTimersByTimeAsync(19_999);
    expect(host.state().status).toBe("connecting");
    await vi.advanceTimersByTimeAsync(1);
    expect(host.state().status).toBe("error");
    expect(host.state().message).toMatch(/did not answer/);
    expect(port.disconnectedByClient).toBe(true);
    expect(host.state().retryInMs).toBe(500);
  });

  it("daemon_unavailable → daemon_unavailable", async () => {
    const host = makeConnection();
    host.start();
    const port = browser.port;
    port.fail(port.lastRequest().id, "daemon_unavailable", "daemon did not start", { log: "tail" });
    await flush();
    expect(host.state()).toMatchObject({ status: "daemon_unavailable" });
    expect(host.state().fix).toContain("rolecall doctor");
    expect(port.disconnectedByClient).toBe(true);
  });

  it("unsupported_version → version_mismatch", async () => {
    const host = makeConnection();
    host.start();
    const port = browser.port;
    port.fail(port.lastRequest().id, "unsupported_version", "no common version", { supported: [2] });
    await flush();
    expect(host.state().status).toBe("version_mismatch");
  });

  it("a protocol or major version it does not speak → version_mismatch", async () => {
    connected({ protocol: 2 });
    await flush();
    expect(states[states.length - 1]?.status).toBe("version_mismatch");
    expect(browser.port.disconnectedByClient).toBe(true);

    states = [];
    connected({ host: { name: "rolecall", version: "3.0.0" } });
    await flush();
    expect(states[states.length - 1]?.status).toBe("version_mismatch");
  });
});

describe("browser errors on the port", () => {
  const cases: Array<[string, string]> = [
    ["Specified native messaging host not found.", "host_not_installed"],
    ["No such native application com.rolecall.host", "host_not_installed"],
    ["Access to the specified native messaging host is forbidden.", "host_forbidden"],
    ["Native host has exited.", "host_exited"],
    ["Error when communicating with the native messaging host.", "error"],
  ];
  for (const [text, status] of cases) {
    it(`"${text}" → ${status}`, async () => {
      const host = makeConnection();
      host.start();
      browser.port.close(text);
      await flush();
      expect(host.state().status).toBe(status);
      expect(host.state().fix).toBeTruthy();
      expect(host.state().retryInMs).toBe(500);
    });
  }

  it("the host dying after hello → host_exited, and reconnects after 0.5 s", async () => {
    const { host, port } = connected();
    await flush();
    port.close("Native host has exited.");
    expect(host.state().status).toBe("host_exited");
    expect(host.state().message).toMatch(/stopped/);
    await vi.advanceTimersByTimeAsync(500);
    expect(browser.ports).toHaveLength(2);
  });

  it("mentions the daemon's stopping reason", async () => {
    const { host, port } = connected();
    await flush();
    port.receive({ v: 1, kind: "event", seq: 11, type: "daemon.stopping", payload: { reason: "SIGTERM" } });
    port.close();
    expect(host.state().status).toBe("host_exited");
    expect(host.state().message).toContain("SIGTERM");
  });

  it("connectNative throwing is a failure like any other", async () => {
    browser.throwOnConnect = new Error("Invalid native messaging host name specified.");
    const host = makeConnection();
    host.start();
    expect(host.state().status).toBe("error");
    expect(host.state().message).toContain("Invalid native messaging host name");
    browser.throwOnConnect = null;
    await vi.advanceTimersByTimeAsync(500);
    expect(browser.ports).toHaveLength(1);
  });
});

describe("requests", () => {
  it("numbers requests r-<n> and resolves with the result", async () => {
    const { host, port } = connected();
    await flush();
    const ping = host.request("ping", { echo: "hi" });
    const status = host.request("daemon.status", {});
    const [first, second] = port.requests().slice(1);
    expect(first).toEqual({ v: 1, kind: "request", id: "r-2", type: "ping", payload: { echo: "hi" } });
    expect(second?.id).toBe("r-3");
    port.answer("r-3", { version: "0.1.0", pid: 1, started_at: 0, uptime_s: 2, clients: 1 });
    port.answer("r-2", { echo: "hi", at: 1795000000.1 });
    await expect(ping).resolves.toEqual({ echo: "hi", at: 1795000000.1 });
    await expect(status).resolves.toMatchObject({ clients: 1 });
    expect(host.diagnostics().pending).toBe(0);
  });

  it("rejects with a HostError carrying code, message and details", async () => {
    const { host, port } = connected();
    await flush();
    const ping = host.request("ping", { echo: "x" });
    port.fail(port.lastRequest().id, "invalid_message", "payload.echo: too long", { errors: [{ loc: "echo" }] });
    const err = await rejection(ping);
    expect(err.code).toBe("invalid_message");
    expect(err.message).toBe("payload.echo: too long");
    expect(err.details).toEqual({ errors: [{ loc: "echo" }] });
  });

  it("times out after 10 s by default, or the time asked for", async () => {
    const { host, port } = connected();
    await flush();
    const slow = host.request("ping", {});
    const slowId = port.lastRequest().id;
    const quick = host.request("ping", {}, { timeoutMs: 50 });
    const quickErr = rejection(quick);
    await vi.advanceTimersByTimeAsync(50);
    expect((await quickErr).code).toBe("timeout");
    const slowErr = rejection(slow);
    await vi.advanceTimersByTimeAsync(9_949);
    expect(host.diagnostics().pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const err = await slowErr;
    expect(err.code).toBe("timeout");
    expect(err.details).toMatchObject({ method: "ping", timeout_ms: 10_000 });
    // A late answer is ignored (and logged).
    port.answer(slowId, { echo: "", at: 0 });
    expect(logger.entries().some((e) => e.message.includes(`unknown or timed-out request ${slowId}`))).toBe(true);
    expect(host.state().status).toBe("connected");
  });

  it("keeps each request's own deadline when one answered before it had armed the timer", async () => {
    const { host, port } = connected();
    await flush();
    const slowErr = rejection(host.request("ping", {}, { timeoutMs: 1000 }));
    const quick = host.request("ping", {}, { timeoutMs: 50 });
    port.answer(port.lastRequest().id, { echo: "", at: 0 });
    expect(await quick).toEqual({ echo: "", at: 0 });
    await vi.advanceTimersByTimeAsync(999);
    expect(host.diagnostics().pending).toBe(1);
    const late = rejection(host.request("ping", {}, { timeoutMs: 2000 }));
    await vi.advanceTimersByTimeAsync(1);
    expect((await slowErr).code).toBe("timeout");
    expect(host.diagnostics().pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1998);
    expect(host.diagnostics().pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await late).details).toMatchObject({ timeout_ms: 2000 });
  });

  it("rejects every pending request with `disconnected` when the port closes", async () => {
    const { host, port } = connected();
    await flush();
    const a = rejection(host.request("ping", {}));
    const b = rejection(host.request("daemon.status", {}));
    port.close("Native host has exited.");
    expect((await a).code).toBe("disconnected");
    expect((await b).code).toBe("disconnected");
    expect(host.diagnostics().pending).toBe(0);
  });

  it("queues requests made during hello and sends them once it succeeds", async () => {
    const host = makeConnection();
    host.start();
    const port = browser.port;
    const ping = host.request("ping", { echo: "early" });
    expect(port.requests().map((r) => r.type)).toEqual(["hello"]);
    port.answer("r-1", helloResult());
    await flush();
    expect(port.requests().map((r) => r.type)).toEqual(["hello", "ping"]);
    port.answer(port.lastRequest().id, { echo: "early", at: 1 });
    await expect(ping).resolves.toMatchObject({ echo: "early" });
  });

  it("queued requests fail with `disconnected` when hello fails", async () => {
    const host = makeConnection();
    host.start();
    const early = rejection(host.request("ping", {}));
    browser.port.close("Native host has exited.");
    expect((await early).code).toBe("disconnected");
  });

  it("fails at once when there is no connection", async () => {
    const host = makeConnection();
    host.start();
    browser.port.close("Specified native messaging host not found.");
    const err = await rejection(host.request("ping", {}));
    expect(err.code).toBe("disconnected");
    expect(err.message).toContain("host_not_installed");
  });

  it("does not let callers send hello", async () => {
    const { host } = connected();
    const err = await rejection(
      host.request("hello", { client: { name: "x", version: "1" }, protocols: [1], capabilities: [] }),
    );
    expect(err.code).toBe("invalid_message");
  });

  it("sends messages over 1 MiB as chunks with one id, in index order", async () => {
    const { host, port } = connected();
    await flush();
    const echo = "é".repeat(1024 * 1024); // 2 MiB of UTF-8
    const pending = host.request("ping", { echo });
    const chunks = port.sent.filter((m): m is ChunkMessage => (m as { kind?: string }).kind === "chunk");
    expect(chunks).toHaveLength(3);
    chunks.forEach((c, index) => {
      expect(c).toMatchObject({ v: 1, kind: "chunk", id: "c-1", index, count: 3 });
      expect(base64ToBytes(c.data)!.length).toBeLessThanOrEqual(CHUNK_SLICE_BYTES);
    });
    const joined = chunks.map((c) => base64ToBytes(c.data)!);
    const all = new Uint8Array(joined.reduce((n, b) => n + b.length, 0));
    joined.reduce((offset, b) => (all.set(b, offset), offset + b.length), 0);
    const request = JSON.parse(new TextDecoder().decode(all));
    expect(request).toMatchObject({ kind: "request", type: "ping", payload: { echo } });
    port.answer(request.id, { echo: "ok", at: 1 });
    await expect(pending).resolves.toMatchObject({ echo: "ok" });
    expect(host.diagnostics().chunksSent).toBe(3);
  });

  it("refuses a message over 16 MiB without sending anything", async () => {
    const { host, port } = connected();
    await flush();
    const before = port.sent.length;
    const err = await rejection(host.request("ping", { echo: "x".repeat(16 * 1024 * 1024) }));
    expect(err.code).toBe("frame_too_large");
    expect(port.sent.length).toBe(before);
  });

  it("joins a chunked response", async () => {
    const { host, port } = connected();
    await flush();
    const pending = host.request("ping", { echo: "big" });
    const id = port.lastRequest().id;
    const echo = "ü".repeat(MAX_FRAME_BYTES);
    const response = { v: 1, kind: "response", id, ok: true, result: { echo, at: 2 } };
    const chunks = splitBytes(new TextEncoder().encode(JSON.stringify(response)), "c-77");
    for (const chunk of chunks) port.receive(chunk);
    await expect(pending).resolves.toEqual({ echo, at: 2 });
    expect(host.diagnostics().chunkedMessagesReceived).toBe(1);
  });

  it("drops a broken chunked message, logs it, and goes on", async () => {
    const { host, port } = connected();
    await flush();
    const pending = rejection(host.request("ping", {}, { timeoutMs: 1000 }));
    const id = port.lastRequest().id;
    const response = { v: 1, kind: "response", id, ok: true, result: { echo: "é".repeat(MAX_FRAME_BYTES), at: 2 } };
    const chunks = splitBytes(new TextEncoder().encode(JSON.stringify(response)), "c-1");
    port.receive(chunks[0]);
    port.receive(chunks[2]); // chunk 1 missing
    port.receive(chunks[1]);
    expect(logger.entries().filter((e) => e.message.startsWith("dropped chunked message c-1"))).toHaveLength(1);
    expect(host.diagnostics().droppedChunkMessages).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await pending).code).toBe("timeout");
    // The connection still works.
    const ping = host.request("ping", {});
    port.answer(port.lastRequest().id, { echo: "", at: 3 });
    await expect(ping).resolves.toMatchObject({ at: 3 });
    expect(host.state().status).toBe("connected");
  });

  it("logs an error response without an id", async () => {
    const { host, port } = connected();
    await flush();
    port.receive({ v: 1, kind: "response", id: null, ok: false, error: { code: "bad_frame", message: "x", details: {} } });
    expect(logger.entries().some((e) => e.message.includes("could not read"))).toBe(true);
    expect(host.state().status).toBe("connected");
  });
});

describe("events", () => {
  it("does not count the hello's own daemon.clients event, which can arrive before the reply", async () => {
    const host = makeConnection();
    host.start();
    const port = browser.port;
    port.receive({ v: 1, kind: "event", seq: 11, type: "daemon.clients", payload: { clients: 2 } });
    port.answer(port.lastRequest().id, helloResult({ last_event_seq: 10 }));
    await flush();
    port.receive({ v: 1, kind: "event", seq: 12, type: "daemon.clients", payload: { clients: 3 } });
    expect(host.state().status).toBe("connected");
    expect(host.state().missedEvents).toBeUndefined();
    expect(host.diagnostics().lastEventSeq).toBe(12);
  });

  it("delivers events to listeners and notes gaps in seq", async () => {
    const { host, port } = connected({ last_event_seq: 10 });
    await flush();
    const got: EventMessage[] = [];
    const off = host.onEvent((e) => got.push(e));
    port.receive({ v: 1, kind: "event", seq: 11, type: "daemon.clients", payload: { clients: 2 } });
    expect(host.state().missedEvents).toBeUndefined();
    port.receive({ v: 1, kind: "event", seq: 14, type: "daemon.clients", payload: { clients: 3 } });
    expect(got.map((e) => e.seq)).toEqual([11, 14]);
    expect(host.state().missedEvents).toBe(2);
    expect(states[states.length - 1]?.missedEvents).toBe(2);
    expect(logger.entries().some((e) => e.message === "missed 2 event(s): expected seq 12, got 14")).toBe(true);
    expect(host.diagnostics().lastEventSeq).toBe(14);
    off();
    port.receive({ v: 1, kind: "event", seq: 15, type: "daemon.clients", payload: { clients: 1 } });
    expect(got).toHaveLength(2);
  });

  it("a throwing listener does not stop the others", async () => {
    const { host, port } = connected();
    await flush();
    const seen: number[] = [];
    host.onEvent(() => {
      throw new Error("bad listener");
    });
    host.onEvent((e) => seen.push(e.seq));
    port.receive({ v: 1, kind: "event", seq: 11, type: "daemon.clients", payload: { clients: 2 } });
    expect(seen).toEqual([11]);
  });

  it("ignores what it does not understand", async () => {
    const { host, port } = connected();
    await flush();
    port.receive({ hello: "world" });
    port.receive("text");
    expect(host.state().status).toBe("connected");
    expect(logger.entries().filter((e) => e.message.startsWith("ignored a message"))).toHaveLength(2);
  });
});

describe("reconnecting", () => {
  it("backs off 0.5 s, 1 s, 2 s … up to 30 s", async () => {
    const host = makeConnection();
    host.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 9; attempt++) {
      browser.port.close("Specified native messaging host not found.");
      const delay = host.state().retryInMs!;
      delays.push(delay);
      const before = browser.ports.length;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(browser.ports.length).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(browser.ports.length).toBe(before + 1);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("jitters the delay", () => {
    let r = 0;
    const host = makeConnection({ random: () => r });
    host.start();
    browser.port.close("Native host has exited.");
    expect(host.state().retryInMs).toBe(400);
    r = 0.999;
    host.reconnectNow();
    browser.port.close("Native host has exited.");
    expect(host.state().retryInMs).toBeGreaterThan(1190);
    expect(host.state().retryInMs).toBeLessThanOrEqual(1200);
  });

  it("resets the backoff after a successful hello", async () => {
    const host = makeConnection();
    host.start();
    for (let i = 0; i < 4; i++) {
      browser.port.close("Native host has exited.");
      await vi.advanceTimersByTimeAsync(host.state().retryInMs!);
    }
    const port = browser.port;
    port.answer(port.lastRequest().id, helloResult());
    await flush();
    expect(host.state().status).toBe("connected");
    port.close("Native host has exited.");
    expect(host.state().retryInMs).toBe(500);
  });

  it("keeps showing the last failure during a quick retry, then says connecting", async () => {
    const host = makeConnection();
    host.start();
    browser.port.close("Specified native messaging host not found.");
    const since = host.state().since;
    await vi.advanceTimersByTimeAsync(500); // retry starts
    expect(browser.ports).toHaveLength(2);
    expect(host.state().status).toBe("host_not_installed");
    expect(host.state().retryInMs).toBeUndefined();
    browser.port.close("Specified native messaging host not found.");
    expect(host.state().status).toBe("host_not_installed");
    expect(host.state().since).toBe(since); // same status: unchanged
    await vi.advanceTimersByTimeAsync(1000); // the next retry hangs
    await vi.advanceTimersByTimeAsync(750);
    expect(host.state().status).toBe("connecting");
  });

  it("reconnectNow connects at once and shows connecting; a no-op while connected", async () => {
    const host = makeConnection();
    host.start();
    browser.port.close("Specified native messaging host not found.");
    expect(host.state().retryInMs).toBe(500);
    host.reconnectNow();
    expect(browser.ports).toHaveLength(2);
    expect(host.state().status).toBe("connecting");
    expect(host.state().retryInMs).toBeUndefined();
    // The cancelled timer does not open a third port.
    await vi.advanceTimersByTimeAsync(600);
    expect(browser.ports).toHaveLength(2);
    const port = browser.port;
    port.answer(port.lastRequest().id, helloResult());
    await flush();
    host.reconnectNow();
    expect(browser.ports).toHaveLength(2);
    expect(host.state().status).toBe("connected");
  });

  it("ignores messages and closes from an old port", async () => {
    const host = makeConnection();
    host.start();
    const old = browser.port;
    old.close("Native host has exited.");
    host.reconnectNow();
    const fresh = browser.port;
    old.receive({ v: 1, kind: "response", id: "r-1", ok: true, result: helloResult() });
    old.close("Native host has exited.");
    expect(host.state().status).toBe("connecting");
    fresh.answer(fresh.lastRequest().id, helloResult());
    await flush();
    expect(host.state().status).toBe("connected");
  });

  it("stop() closes the port and stops retrying", async () => {
    const { host, port } = connected();
    await flush();
    const pending = rejection(host.request("ping", {}));
    host.stop();
    expect(port.disconnectedByClient).toBe(true);
    expect((await pending).code).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(browser.ports).toHaveLength(1);
  });
});
