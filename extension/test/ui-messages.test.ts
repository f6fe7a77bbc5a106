import { describe, expect, it } from "vitest";
import { parseUiMessage } from "../src/shared/ui-messages";

describe("parseUiMessage", () => {
  it("accepts a request and a retry", () => {
    expect(parseUiMessage({ type: "request", id: "u-1", method: "ping", params: { echo: "hi" } })).toEqual({
      type: "request",
      id: "u-1",
      method: "ping",
      params: { echo: "hi" },
    });
    expect(parseUiMessage({ type: "request", id: "u-2", method: "daemon.status" })).toEqual({
      type: "request",
      id: "u-2",
      method: "daemon.status",
      params: {},
    });
    expect(parseUiMessage({ type: "retry" })).toEqual({ type: "retry" });
  });

  it("refuses anything else", () => {
    const bad: unknown[] = [
      null,
      "retry",
      [],
      { type: "retry", extra: 1 },
      { type: "nope" },
      { type: "request", id: "", method: "ping", params: {} },
      { type: "request", id: "has space", method: "ping", params: {} },
      { type: "request", id: "x".repeat(65), method: "ping", params: {} },
      { type: "request", id: 1, method: "ping", params: {} },
      { type: "request", id: "u-1", method: "Ping", params: {} },
      { type: "request", id: "u-1", method: 5, params: {} },
      { type: "request", id: "u-1", method: "ping", params: [] },
      { type: "request", id: "u-1", method: "ping", params: null },
      { type: "request", id: "u-1", method: "ping", params: "x" },
      { type: "request", id: "u-1", method: "ping", params: {}, other: true },
      { type: "request", id: "u-1", method: "ping", params: new Date() },
    ];
    for (const message of bad) expect(parseUiMessage(message)).toBeNull();
  });
});
