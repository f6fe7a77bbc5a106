import { describe, expect, it } from "vitest";
import { parseBackgroundMessage, parsePageMessage } from "../src/shared/page-messages";
import { parseSitesRequest } from "../src/shared/site-messages";

describe("messages between pages and the background", () => {
  it("accept a call request of the right shape only", () => {
    const record = { crm: "salesforce", record_id: "006" };
    expect(parsePageMessage({ type: "rolecall:place", target: "+14155550132", record, snapshot: null })).toEqual({
      type: "rolecall:place",
      target: "+14155550132",
      record,
      snapshot: null,
    });
    expect(parsePageMessage({ type: "rolecall:place", target: "+14155550132" })?.record).toBeNull();
    for (const bad of [
      null,
      "rolecall:place",
      { type: "rolecall:place" },
      { type: "rolecall:place", target: "" },
      { type: "rolecall:place", target: "x".repeat(257) },
      { type: "rolecall:place", target: 123 },
      { type: "rolecall:place", target: "+1", record: "salesforce" },
      { type: "rolecall:place", target: "+1", snapshot: [1] },
      { type: "rolecall:place", target: "+1", extra: true },
      { type: "rolecall:other", target: "+1" },
    ]) {
      expect(parsePageMessage(bad)).toBeNull();
    }
  });

  it("accept a call's page after it, named by the click that asked for the call", () => {
    const record = { crm: "salesforce", record_id: "006" };
    expect(parsePageMessage({ type: "rolecall:place", target: "+14155550132", record: null, snapshot: null, click: "k3x-1" })).toEqual({
      type: "rolecall:place",
      target: "+14155550132",
      record: null,
      snapshot: null,
      click: "k3x-1",
    });
    expect(parsePageMessage({ type: "rolecall:page", click: "k3x-1", record, snapshot: null })).toEqual({
      type: "rolecall:page",
      click: "k3x-1",
      record,
      snapshot: null,
    });
    for (const bad of [
      { type: "rolecall:page", record },
      { type: "rolecall:page", click: "", record },
      { type: "rolecall:page", click: "a b", record },
      { type: "rolecall:page", click: "x".repeat(33), record },
      { type: "rolecall:page", click: "k-1", record: "006" },
      { type: "rolecall:page", click: "k-1", snapshot: [1] },
      { type: "rolecall:page", click: "k-1", target: "+14155550132" },
      { type: "rolecall:place", target: "+14155550132", click: 7 },
    ]) {
      expect(parsePageMessage(bad)).toBeNull();
    }
  });

  it("accept the background's messages and clip toast text", () => {
    expect(parseBackgroundMessage({ type: "rolecall:disable" })).toEqual({ type: "rolecall:disable" });
    expect(parseBackgroundMessage({ type: "rolecall:stats", junk: 1 })).toEqual({ type: "rolecall:stats" });
    const toast = parseBackgroundMessage({ type: "rolecall:toast", kind: "error", text: "x".repeat(1000) });
    expect(toast).toEqual({ type: "rolecall:toast", kind: "error", text: "x".repeat(300) });
    expect(parseBackgroundMessage({ type: "rolecall:toast", kind: "html", text: "<b>" })).toBeNull();
    expect(parseBackgroundMessage({ type: "rolecall:toast", kind: "info", text: 5 })).toBeNull();
    expect(parseBackgroundMessage([])).toBeNull();
  });

  it("accept site changes naming site patterns only", () => {
    expect(parseSitesRequest({ type: "rolecall:sites", op: "list" })).toEqual({ type: "rolecall:sites", op: "list", patterns: [] });
    expect(parseSitesRequest({ type: "rolecall:sites", op: "enable", patterns: ["https://*.dynamics.com/*"] })?.patterns).toEqual([
      "https://*.dynamics.com/*",
    ]);
    expect(parseSitesRequest({ type: "rolecall:sites", op: "enable", patterns: ["<all_urls>"] })).toBeNull();
    expect(parseSitesRequest({ type: "rolecall:sites", op: "enable", patterns: ["https://x.test/path/*"] })).toBeNull();
    expect(parseSitesRequest({ type: "rolecall:sites", op: "drop", patterns: [] })).toBeNull();
    expect(parseSitesRequest({ type: "rolecall:sites", op: "enable", patterns: Array(51).fill("https://x.test/*") })).toBeNull();
  });
});
