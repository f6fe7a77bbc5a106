// @vitest-environment jsdom
// The options page's "Page memory" section: sites with counts, Forget per site, and
// the switch (off forgets everything); the site names are shown as text.
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { PageMemory } from "../../src/options/page-memory";
import type { BackgroundClient } from "../../src/shared/background-client";
import { recordUrl, recordUrlFor } from "../../src/background/runtime-messages";

type Site = { origin: string; deals: number; people: number; documents: number; last_seen_at: string };

function fakeHost(sites: Site[]): { client: BackgroundClient; calls: [string, unknown][] } {
  let on = true;
  let list = [...sites];
  const calls: [string, unknown][] = [];
  const client = {
    connect: () => undefined,
    close: () => undefined,
    request: async (method: string, params: Record<string, unknown>) => {
      calls.push([method, params]);
      if (method === "memory.forget") list = list.filter((s) => s.origin !== params.origin);
      if (method === "memory.settings" && typeof params.page_memory === "boolean") {
        on = params.page_memory;
        if (!on) list = [];
      }
      if (method === "memory.sites") return { sites: list, page_memory: on };
      return { page_memory: on, deals: 1 };
    },
  } as unknown as BackgroundClient;
  return { client, calls };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

const site = (origin: string, deals: number): Site => ({ origin, deals, people: deals * 3, documents: 1, last_seen_at: "2026-12-01T10:00:00+00:00" });

describe("the Page memory section", () => {
  it("lists sites, forgets one, and turning it off empties the list", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const { client, calls } = fakeHost([site("https://a.example", 2), site("https://<b>.example", 1)]);
    await act(async () => {
      render(<PageMemory client={client} />, root);
    });
    await act(settle);
    await act(settle);
    const rows = [...root.querySelectorAll<HTMLElement>("[data-testid^='memory-site-']")];
    expect(rows.map((r) => r.querySelector(".name")?.textContent)).toEqual(["https://a.example", "https://<b>.example"]);
    expect(root.querySelector("b")).toBeNull();
    expect(rows[0]?.textContent).toContain("2 deals, 6 people, 1 documents");
    await act(async () => {
      rows[1]?.querySelector("button")?.click();
      await settle();
    });
    expect(calls).toContainEqual(["memory.forget", { origin: "https://<b>.example" }]);
    expect(root.querySelectorAll("[data-testid^='memory-site-']")).toHaveLength(1);
    const toggle = root.querySelector<HTMLInputElement>("[data-testid='page-memory-switch']");
    expect(toggle?.checked).toBe(true);
    await act(async () => {
      toggle?.click();
      await settle();
    });
    expect(calls).toContainEqual(["memory.settings", { page_memory: false }]);
    expect(root.querySelector("[data-testid='page-memory-empty']")).not.toBeNull();
    expect(root.querySelector<HTMLInputElement>("[data-testid='page-memory-switch']")?.checked).toBe(false);
  });
});

describe("a call's record URL", () => {
  it("is the sending tab's http(s) URL, never longer than the protocol allows", () => {
    expect(recordUrl("https://crm.example/deals/7?x=1")).toBe("https://crm.example/deals/7?x=1");
    expect(recordUrl("file:///etc/passwd")).toBe("");
    expect(recordUrl(undefined)).toBe("");
    const long = `https://crm.example/deals/7?q=${"a".repeat(3000)}`;
    expect(recordUrl(long)).toBe("https://crm.example/deals/7");
  });

  it("follows the page's client-side navigation on its own site, and only there", () => {
    const tab = "https://crm.example/app";
    expect(recordUrlFor("https://crm.example/app#/deal/9", tab)).toBe("https://crm.example/app#/deal/9");
    expect(recordUrlFor("https://other.example/deal/9", tab)).toBe(tab);
    expect(recordUrlFor("javascript:alert(1)", tab)).toBe(tab);
    expect(recordUrlFor(undefined, tab)).toBe(tab);
    expect(recordUrlFor("https://crm.example/deal/9", "file:///x")).toBe("");
  });
});
