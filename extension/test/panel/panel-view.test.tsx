// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { App } from "../../src/sidepanel/App";
import { PanelStore } from "../../src/sidepanel/panel-store";
import type { BackgroundClient } from "../../src/shared/background-client";
import { FakeClient, call, card, context, doc, tick } from "./fake-client";

function background(): BackgroundClient {
  const state = { status: "connected", message: "Connected.", since: 1, hostVersion: "0.1.0", protocol: 1 };
  return {
    lastState: { state, at: Date.now() },
    onState: () => () => undefined,
    retry: () => undefined,
  } as unknown as BackgroundClient;
}

async function mount(client: FakeClient): Promise<{ root: HTMLElement; store: PanelStore }> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const store = new PanelStore(client);
  await act(async () => {
    render(<App client={background()} store={store} />, root);
    store.start();
    for (let i = 0; i < 8; i++) await tick();
  });
  return { root, store };
}

const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

describe("the side panel", () => {
  it("shows the call, the people grouped by role in the fixed order, and the documents", async () => {
    const people = [
      card("inf", "influencer"),
      card("none", "none"),
      card("dm", "decision_maker", { is_primary: true }, "+14155550100"),
      card("tb", "technical_buyer", { relations: [{ kind: "reports_to", direction: "to", contact_id: "dm", name: "DM Person" }] }),
    ];
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: context(people, [doc("d1"), doc("d2", { url: null })], { missing_roles: ["economic_buyer"] }), matches: [] }))
      .on("calllog.list", () => ({ calls: [] }));
    const { root } = await mount(client);
    expect(q(root, "call-card")?.dataset.state).toBe("confirmed");
    expect(q(root, "call-contact")?.textContent).toBe("DM Person");
    expect(q(root, "call-remote")?.textContent).toBe("+1 415 555 0100");
    const groups = [...root.querySelectorAll<HTMLElement>("[data-testid^='role-group-']")].map((g) => g.dataset.testid);
    expect(groups).toEqual(["role-group-decision_maker", "role-group-technical_buyer", "role-group-influencer", "role-group-none"]);
    expect(q(root, "contact-dm")?.dataset.primary).toBe("true");
    expect(q(root, "contact-tb")?.textContent).toContain("Reports to DM Person");
    expect(q(root, "missing-role-economic_buyer")?.textContent).toBe("No Economic buyer on this deal.");
    expect(q(root, "document-d1")).not.toBeNull();
    expect((q(root, "document-d2")?.querySelector("[data-testid='document-present']") as HTMLButtonElement).disabled).toBe(true);
    expect((q(root, "document-d1")?.querySelector("[data-testid='document-present']") as HTMLButtonElement).disabled).toBe(false);
    for (const id of ["call-mute", "call-hold", "call-keypad", "call-transfer", "call-add", "call-record", "call-hangup", "call-notes"]) {
      expect(q(root, id), id).not.toBeNull();
    }
    expect(document.body.dataset.opportunityId).toBe("006A");
  });

  it("searches people and filters documents without losing the groups' order", async () => {
    const people = [card("ann", "evaluator", {}, "+14155550101"), card("bob", "decision_maker")];
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: context(people, [doc("d1", { title: "Pricing" }), doc("d2", { title: "MSA", doc_type: "docx" })]), matches: [] }));
    const { root } = await mount(client);
    const search = q(root, "people-search") as HTMLInputElement;
    await act(async () => {
      search.value = "5550101";
      search.dispatchEvent(new Event("input", { bubbles: true }));
    });
    expect(q(root, "contact-ann")).not.toBeNull();
    expect(q(root, "contact-bob")).toBeNull();
    const type = q(root, "document-type") as HTMLSelectElement;
    await act(async () => {
      type.value = "docx";
      type.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(q(root, "document-d1")).toBeNull();
    expect(q(root, "document-d2")).not.toBeNull();
  });

  it("pops an inbound call with Answer and Decline and no controls", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call({ direction: "inbound", state: "ringing", answered_at: null, record: null })] }))
      .on("context.get", () => ({ context: context([card("dm", "decision_maker", {}, "+14155550100")], []), matches: [] }));
    const { root } = await mount(client);
    expect(q(root, "inbound-card")).not.toBeNull();
    expect(q(root, "inbound-caller")?.textContent).toBe("DM Person");
    expect(q(root, "inbound-opportunity")?.textContent).toContain("Acme expansion");
    expect(q(root, "call-hangup")).toBeNull();
    await act(async () => {
      q(root, "inbound-answer")?.click();
      await tick();
    });
    expect(client.calls("call.answer")).toEqual([{ call_id: "a".repeat(32) }]);
  });

  it("offers the wrap-up once a call has ended, with a disposition from how it ended", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [call({ state: "disconnected", end_cause: "busy", answered_at: null, status_code: 486, reason: "Busy Here" })] }));
    const { root } = await mount(client);
    expect(q(root, "call-error")?.textContent).toBe("Call failed: Busy (486 Busy Here).");
    expect((q(root, "disposition") as HTMLSelectElement).value).toBe("busy");
    expect(q(root, "call-hangup")).toBeNull();
  });
});

describe("the side panel's failures", () => {
  it("says when an account's registration failed, with the registrar's reason", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("account.list", () => ({
        accounts: [{ config: { id: "pbx", uri: "sip:alice@pbx.example.com" }, has_password: true, registration: "failed", status_code: 403, reason: "Forbidden", expires_s: null }],
      }));
    const { root } = await mount(client);
    expect(q(root, "registration-error")?.textContent).toContain("Registration of sip:alice@pbx.example.com failed: 403 Forbidden.");
    expect(q(root, "idle")).not.toBeNull();
  });
});

describe("the side panel with a caller on several deals", () => {
  it("asks to pick the deal rather than saying the number is unknown", async () => {
    const match = (opp: string) => ({ contact: { id: "c1", last_name: "Lee" }, account_name: "Acme", opportunity_id: opp, opportunity_name: `Deal ${opp}`, role: "evaluator" });
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call({ direction: "inbound", state: "ringing", answered_at: null, record: null })] }))
      .on("context.get", () => ({ context: null, matches: [match("o1"), match("o2")] }));
    const { root } = await mount(client);
    expect(q(root, "inbound-match-c1")).not.toBeNull();
    expect(root.querySelectorAll("[data-testid='inbound-match-c1']")).toHaveLength(2);
    expect(q(root, "context-none")?.textContent).toBe("Pick the deal this call is about to see its people and documents.");
  });
});
