// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { App } from "../../src/sidepanel/App";
import { PanelStore } from "../../src/sidepanel/panel-store";
import type { BackgroundClient } from "../../src/shared/background-client";
import { FakeClient, call, hostError, tick } from "./fake-client";

function background(): BackgroundClient {
  const state = { status: "connected", message: "Connected.", since: 1, hostVersion: "0.1.0", protocol: 1 };
  return { lastState: { state, at: Date.now() }, onState: () => () => undefined, retry: () => undefined } as unknown as BackgroundClient;
}

const CALL = call({ remote_display: "Anna Kowalski", remote_uri: "sip:anna@127.0.0.1:5070" });
const REQUEST = "b".repeat(32);
const ANNA = { display: "Anna Kowalski", uri: "sip:anna@127.0.0.1:5070", e164: null };

function offered(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: REQUEST,
    call_id: CALL.id,
    by: ANNA,
    target: "+19005550100",
    target_uri: "sip:+19005550100@127.0.0.1:5070",
    attended: false,
    expires_in_s: 30,
    ...over,
  };
}

async function mount(client: FakeClient): Promise<HTMLElement> {
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const store = new PanelStore(client);
  await act(async () => {
    render(<App client={background()} store={store} />, root);
    store.start();
    for (let i = 0; i < 8; i++) await tick();
  });
  return root;
}

async function settle(run: () => void = () => undefined): Promise<void> {
  await act(async () => {
    run();
    for (let i = 0; i < 4; i++) await tick();
  });
}

const q = (root: HTMLElement, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

function client(): FakeClient {
  return new FakeClient().on("calls.list", () => ({ calls: [CALL] })).on("context.get", () => ({ context: null, matches: [] }));
}

describe("a transfer the far end asks for", () => {
  it("is offered with who asks and whom, and Accept asks the host to place that call", async () => {
    const host = client().on("call.transfer_accept", () => ({ call: call({ id: "c".repeat(32), dialed: "tel:+19005550100" }) }));
    const root = await mount(host);
    expect(q(root, "transfer-offer")).toBeNull();
    expect(q(root, "call-card")?.dataset.callId).toBe(CALL.id);
    await settle(() => host.emit("call.transfer_requested", offered()));
    expect(q(root, "transfer-offer-text")?.textContent).toBe("Anna Kowalski asks to transfer you to +1 900 555 0100");
    expect(q(root, "transfer-offer-note")?.textContent).toContain("30 s");
    expect(host.calls("call.transfer_accept")).toEqual([]); // nothing before the user's word
    await settle(() => q(root, "transfer-offer-accept")?.click());
    expect(host.calls("call.transfer_accept")).toEqual([{ request_id: REQUEST }]);
    expect(host.calls("call.transfer_decline")).toEqual([]);
    expect(q(root, "transfer-offer")).toBeNull();
    expect(q(root, "call-card")?.dataset.callId).toBe("c".repeat(32)); // the new call takes the card
  });

  it("Decline tells the host and the card goes; an offer the host ends goes too", async () => {
    const host = client().on("call.transfer_decline", () => ({}));
    const root = await mount(host);
    await settle(() => host.emit("call.transfer_requested", offered({ by: { display: "", uri: "sip:+14155550100@x", e164: "+14155550100" }, target: "sip:carol@127.0.0.1:5070" })));
    expect(q(root, "transfer-offer-text")?.textContent).toBe("+1 415 555 0100 asks to transfer you to carol@127.0.0.1:5070");
    await settle(() => q(root, "transfer-offer-decline")?.click());
    expect(host.calls("call.transfer_decline")).toEqual([{ request_id: REQUEST }]);
    expect(host.calls("call.transfer_accept")).toEqual([]);
    expect(q(root, "transfer-offer")).toBeNull();

    await settle(() => host.emit("call.transfer_requested", offered({ request_id: "d".repeat(32) })));
    expect(q(root, "transfer-offer")).not.toBeNull();
    await settle(() => host.emit("call.transfer_ended", { request_id: "d".repeat(32), call_id: CALL.id, outcome: "expired", new_call_id: null }));
    expect(q(root, "transfer-offer")).toBeNull();
    expect(q(root, "notice")?.textContent).toContain("The transfer request from Anna Kowalski lapsed");
  });

  it("an offer made before the panel opened is shown from the host's list", async () => {
    const host = client().on("calls.transfer_offers", () => ({ offers: [offered({ expires_in_s: 12 })] }));
    const root = await mount(host);
    expect(q(root, "transfer-offer-text")?.textContent).toBe("Anna Kowalski asks to transfer you to +1 900 555 0100");
    expect(q(root, "transfer-offer-note")?.textContent).toContain("12 s");
  });

  it("a refused request is a notice, with no card to accept", async () => {
    const host = client();
    const root = await mount(host);
    await settle(() => host.emit("call.transfer_refused", { call_id: CALL.id, by: ANNA, target: "<tel:+1900555>", reason: "invalid_number" }));
    expect(q(root, "transfer-offer")).toBeNull();
    expect(q(root, "notice")?.dataset.kind).toBe("error");
    expect(q(root, "notice")?.textContent).toContain("Anna Kowalski asked to transfer you to");
    expect(q(root, "notice")?.textContent).toContain("invalid_number");
  });

  it("an accept the host refuses (the offer lapsed meanwhile) says so and drops the card", async () => {
    const host = client().on("call.transfer_accept", () => {
      throw hostError("not_found", "no transfer request");
    });
    const root = await mount(host);
    await settle(() => host.emit("call.transfer_requested", offered()));
    await settle(() => q(root, "transfer-offer-accept")?.click());
    expect(q(root, "transfer-offer")).toBeNull();
    expect(q(root, "notice")?.textContent).toContain("no transfer request");
  });
});
