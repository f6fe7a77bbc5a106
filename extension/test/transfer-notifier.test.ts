// The transfer-request notifier against a stand-in host and notification surface: what it
// shows, what its buttons ask of the host, the toolbar badge, and when it takes a
// notification down. The real browser and host are exercised in
// tests/e2e/test_transfer_offer.py.

import { describe, expect, it } from "vitest";
import type { EventMessage, TransferRequestedPayload } from "../src/protocol/index";
import type { ConnectionState } from "../src/shared/state";
import { silentLogger } from "../src/background/logger";
import type { NotificationShape, NotificationSurface } from "../src/background/system-notifications";
import { ACCEPT_BUTTON, DECLINE_BUTTON, TransferNotifier, notificationId } from "../src/background/transfer-notifier";

class FakeHost {
  readonly sent: Array<{ method: string; params: unknown }> = [];
  offers: TransferRequestedPayload[] = [];
  private readonly events = new Set<(event: EventMessage) => void>();
  private readonly states = new Set<(state: ConnectionState) => void>();

  request(method: string, params: unknown): Promise<unknown> {
    this.sent.push({ method, params });
    if (method === "calls.transfer_offers") return Promise.resolve({ offers: this.offers });
    if (method === "call.transfer_accept") return Promise.resolve({ call: { id: "new" } });
    return Promise.resolve({});
  }
  onEvent(listener: (event: EventMessage) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }
  onState(listener: (state: ConnectionState) => void): () => void {
    this.states.add(listener);
    return () => this.states.delete(listener);
  }
  emit(type: string, payload: unknown): void {
    for (const listener of this.events) listener({ type, payload } as unknown as EventMessage);
  }
  connected(): void {
    for (const listener of this.states) listener({ status: "connected" } as unknown as ConnectionState);
  }
}

class FakeSurface implements NotificationSurface {
  readonly shown = new Map<string, NotificationShape>();
  badgeText = "";
  buttonListener: ((id: string, index: number) => void) | null = null;
  clickListener: ((id: string) => void) | null = null;
  show(id: string, shape: NotificationShape): Promise<void> {
    this.shown.set(id, shape);
    return Promise.resolve();
  }
  clear(id: string): void {
    this.shown.delete(id);
  }
  onButton(listener: (id: string, index: number) => void): void {
    this.buttonListener = listener;
  }
  onClick(listener: (id: string) => void): void {
    this.clickListener = listener;
  }
  badge(text: string): void {
    this.badgeText = text;
  }
}

function offer(requestId: string, by: Partial<TransferRequestedPayload["by"]> = {}): TransferRequestedPayload {
  return {
    request_id: requestId,
    call_id: `call-${requestId}`,
    by: { display: "Anna", uri: "sip:anna@127.0.0.1", e164: null, ...by },
    target: "+19005550100",
    target_uri: "sip:+19005550100@127.0.0.1",
    attended: false,
    expires_in_s: 30,
  };
}

function setUp(buttons = true) {
  const host = new FakeHost();
  const surface = new FakeSurface();
  let panelOpens = 0;
  const notifier = new TransferNotifier(
    host as unknown as ConstructorParameters<typeof TransferNotifier>[0],
    surface,
    () => {
      panelOpens += 1;
    },
    silentLogger(),
    buttons,
  );
  return { host, surface, notifier, panelOpens: () => panelOpens };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("TransferNotifier", () => {
  it("shows the request as plain text with Accept and Decline, and counts it on the badge", async () => {
    const { host, surface, notifier } = setUp();
    host.emit("call.transfer_requested", offer("r1"));
    await settle();
    expect(surface.shown.get(notificationId("r1"))).toEqual({
      title: "Transfer request",
      message: "Anna asks to transfer you to +1 900 555 0100",
      buttons: ["Accept", "Decline"],
    });
    expect(surface.badgeText).toBe("1");
    expect(notifier.active()).toEqual(["r1"]);
    expect(host.sent).toEqual([]); // nothing is asked of the host, let alone dialled
  });

  it("names a party without a display name by its number, and strips controls from a display name", async () => {
    const { host, surface } = setUp();
    host.emit("call.transfer_requested", offer("r1", { display: "", e164: "+14155550132" }));
    host.emit("call.transfer_requested", offer("r2", { display: "<b>Ann\u202Ea</b>\n\u0007" }));
    await settle();
    expect(surface.shown.get(notificationId("r1"))?.message).toBe("+1 415 555 0132 asks to transfer you to +1 900 555 0100");
    expect(surface.shown.get(notificationId("r2"))?.message).toBe("<b>Anna</b> asks to transfer you to +1 900 555 0100");
    expect(surface.badgeText).toBe("2");
  });

  it("Accept asks the host to place the call, opens the panel and takes the notification down", async () => {
    const { host, surface, notifier, panelOpens } = setUp();
    host.emit("call.transfer_requested", offer("r1"));
    await settle();
    surface.buttonListener?.(notificationId("r1"), ACCEPT_BUTTON);
    expect(host.sent).toEqual([{ method: "call.transfer_accept", params: { request_id: "r1" } }]);
    expect(panelOpens()).toBe(1);
    expect(surface.shown.size).toBe(0);
    expect(surface.badgeText).toBe("");
    expect(notifier.active()).toEqual([]);
    // A second click on the same notification asks nothing more.
    surface.buttonListener?.(notificationId("r1"), ACCEPT_BUTTON);
    expect(host.sent).toHaveLength(1);
  });

  it("Decline asks the host to decline and dials nothing", async () => {
    const { host, surface, panelOpens } = setUp();
    host.emit("call.transfer_requested", offer("r1"));
    await settle();
    surface.buttonListener?.(notificationId("r1"), DECLINE_BUTTON);
    expect(host.sent).toEqual([{ method: "call.transfer_decline", params: { request_id: "r1" } }]);
    expect(panelOpens()).toBe(0);
    expect(surface.shown.size).toBe(0);
  });

  it("ignores other notifications' buttons and clicks", async () => {
    const { host, surface, panelOpens } = setUp();
    host.emit("call.transfer_requested", offer("r1"));
    await settle();
    surface.buttonListener?.("rolecall-incoming-r1", ACCEPT_BUTTON);
    surface.clickListener?.("rolecall-incoming-r1");
    expect(host.sent).toEqual([]);
    expect(panelOpens()).toBe(0);
    expect(surface.shown.size).toBe(1);
  });

  it("takes the notification down when the offer ends at the host, and the badge with the last one", async () => {
    const { host, surface } = setUp();
    host.emit("call.transfer_requested", offer("r1"));
    host.emit("call.transfer_requested", offer("r2"));
    await settle();
    host.emit("call.transfer_ended", { request_id: "r1", call_id: "call-r1", outcome: "call_ended", new_call_id: null });
    expect([...surface.shown.keys()]).toEqual([notificationId("r2")]);
    expect(surface.badgeText).toBe("1");
    host.emit("call.transfer_ended", { request_id: "r2", call_id: "call-r2", outcome: "expired", new_call_id: null });
    expect(surface.shown.size).toBe(0);
    expect(surface.badgeText).toBe("");
  });

  it("without buttons (Firefox) says to click, and a click opens the panel", async () => {
    const { host, surface, panelOpens } = setUp(false);
    host.emit("call.transfer_requested", offer("r1"));
    await settle();
    const shown = surface.shown.get(notificationId("r1"));
    expect(shown?.buttons).toBeUndefined();
    expect(shown?.message).toBe("Anna asks to transfer you to +1 900 555 0100. Click to accept or decline it in Rolecall.");
    surface.clickListener?.(notificationId("r1"));
    expect(panelOpens()).toBe(1);
    expect(host.sent).toEqual([]);
  });

  it("on connecting, shows the host's pending offers and drops those it no longer holds", async () => {
    const { host, surface, notifier } = setUp();
    host.emit("call.transfer_requested", offer("gone"));
    await settle();
    host.offers = [offer("held")];
    host.connected();
    await settle();
    await settle();
    expect(notifier.active()).toEqual(["held"]);
    expect([...surface.shown.keys()]).toEqual([notificationId("held")]);
    expect(surface.badgeText).toBe("1");
    host.connected(); // a state change while connected does not ask again
    expect(host.sent.filter((m) => m.method === "calls.transfer_offers")).toHaveLength(1);
  });
});
