import { describe, expect, it } from "vitest";
import {
  MAX_FRAME_BYTES,
  NATIVE_HOST_NAME,
  PROTOCOL_VERSION,
  isChunk,
  isErrorResponse,
  isEvent,
  isKnownEvent,
  isMessage,
  isMethodName,
  isOkResponse,
  isRequest,
  isResponse,
  type Params,
  type Result,
} from "../src/protocol/index";

// The examples of docs/PROTOCOL.md.
const request = { v: 1, kind: "request", id: "r-17", type: "ping", payload: { echo: "hi" } };
const ok = { v: 1, kind: "response", id: "r-17", ok: true, result: { echo: "hi", at: 1795000000.1 } };
const err = {
  v: 1,
  kind: "response",
  id: "r-17",
  ok: false,
  error: { code: "invalid_message", message: "payload.echo: too long", details: { errors: [] } },
};
const event = { v: 1, kind: "event", seq: 42, type: "daemon.clients", payload: { clients: 2 } };
const chunk = { v: 1, kind: "chunk", id: "c-3", index: 0, count: 3, data: "eyJ2Ijo=" };

describe("constants", () => {
  it("match the protocol", () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(NATIVE_HOST_NAME).toBe("com.rolecall.host");
    expect(MAX_FRAME_BYTES).toBe(1048576);
  });
});

describe("type guards", () => {
  it("recognise each kind and nothing else", () => {
    expect(isRequest(request)).toBe(true);
    expect(isOkResponse(ok)).toBe(true);
    expect(isErrorResponse(err)).toBe(true);
    expect(isErrorResponse({ ...err, id: null })).toBe(true);
    expect(isResponse(ok) && isResponse(err)).toBe(true);
    expect(isEvent(event)).toBe(true);
    expect(isKnownEvent(event)).toBe(true);
    expect(isKnownEvent({ ...event, type: "call.ringing" })).toBe(false);
    expect(isChunk(chunk)).toBe(true);
    for (const m of [request, ok, err, event, chunk]) expect(isMessage(m)).toBe(true);

    expect(isRequest(ok)).toBe(false);
    expect(isOkResponse(err)).toBe(false);
    expect(isErrorResponse(ok)).toBe(false);
    expect(isEvent(request)).toBe(false);
    expect(isChunk(event)).toBe(false);
  });

  it("check the envelope's fields", () => {
    expect(isRequest({ ...request, v: 2 })).toBe(false);
    expect(isRequest({ ...request, id: "bad id" })).toBe(false);
    expect(isRequest({ ...request, type: "Ping" })).toBe(false);
    expect(isRequest({ ...request, payload: [] })).toBe(false);
    expect(isOkResponse({ ...ok, id: null })).toBe(false);
    expect(isErrorResponse({ ...err, error: { code: "x" } })).toBe(false);
    expect(isEvent({ ...event, seq: 0 })).toBe(false);
    expect(isEvent({ ...event, seq: 1.5 })).toBe(false);
    expect(isChunk({ ...chunk, count: 1 })).toBe(false);
    expect(isChunk({ ...chunk, count: 65 })).toBe(false);
    expect(isChunk({ ...chunk, index: 3 })).toBe(false);
    expect(isMessage(null)).toBe(false);
    expect(isMessage("{}")).toBe(false);
  });

  it("know the methods", () => {
    expect(isMethodName("daemon.status")).toBe(true);
    expect(isMethodName("hello")).toBe(true);
    expect(isMethodName("call.start")).toBe(false);
  });
});

describe("typed helpers", () => {
  it("type params and results per method", () => {
    const params: Params<"ping"> = { echo: "hi" };
    const result: Result<"daemon.status"> = { version: "0.1.0", pid: 1, started_at: 0, uptime_s: 1, clients: 1 };
    // @ts-expect-error: ping has no such param
    const wrong: Params<"ping"> = { nope: 1 };
    expect([params, result, wrong]).toHaveLength(3);
  });
});
