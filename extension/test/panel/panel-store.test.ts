import { describe, expect, it } from "vitest";
import { PanelStore, userPartNumber } from "../../src/sidepanel/panel-store";
import { FakeClient, call, card, context, doc, hostError, tick } from "./fake-client";

const ID = "a".repeat(32);
const OTHER = "b".repeat(32);

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

describe("PanelStore", () => {
  it("follows a new call and loads its deal by call id, all pages, then its history", async () => {
    const people = Array.from({ length: 3 }, (_, i) => card(`c${i}`, i === 0 ? "influencer" : "decision_maker"));
    const more = [card("c9", "economic_buyer")];
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("context.get", (p) =>
        p.contacts_offset
          ? { context: context(more, [doc("d2")], { next_contacts_offset: null, next_documents_offset: null }), matches: [] }
          : { context: context(people, [doc("d1")], { next_contacts_offset: 3, next_documents_offset: 1, total_contacts: 4, total_documents: 2 }), matches: [] },
      )
      .on("calllog.list", () => ({ calls: [] }));
    const store = new PanelStore(client);
    store.start();
    await settle();
    client.emit("call.updated", { call: call({ state: "dialing", answered_at: null }) });
    await settle();
    const s = store.snapshot;
    expect(s.focusId).toBe(ID);
    expect(client.calls("context.get")[0]).toMatchObject({ call_id: ID, page_size: 500 });
    expect(client.calls("context.get")[1]).toMatchObject({ opportunity_id: "006A", contacts_offset: 3, documents_offset: 1 });
    expect(s.people.map((p) => p.contact.id)).toEqual(["c1", "c2", "c9", "c0"]);
    expect(s.documents.map((d) => d.id)).toEqual(["d1", "d2"]);
    expect(s.contextStatus).toBe("ready");
    expect(client.calls("calllog.list")[0]).toEqual({ opportunity_id: "006A", limit: 20 });
  });

  it("falls back to the caller's number when the call's page is forgotten", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("context.get", (p) => {
        if (p.call_id) throw hostError("not_found", "forgotten");
        return { context: context([card("c1", "decision_maker", {}, "+14155550100")], []), matches: [] };
      });
    const store = new PanelStore(client);
    store.start();
    client.emit("call.updated", { call: call() });
    await settle();
    expect(client.calls("context.get")[1]).toMatchObject({ phone: "+14155550100" });
    expect(store.snapshot.context?.opportunity.id).toBe("006A");
  });

  it("offers a picker when an inbound number is on several deals, and loads the pick", async () => {
    const match = (opp: string) => ({
      contact: { id: "c1", last_name: "Lee" },
      account_name: "Acme",
      opportunity_id: opp,
      opportunity_name: `Deal ${opp}`,
      role: "decision_maker",
    });
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("context.get", (p) =>
        p.phone ? { context: null, matches: [match("006A"), match("006B")] } : { context: context([card("c1", "decision_maker")], []), matches: [] },
      );
    const store = new PanelStore(client);
    store.start();
    client.emit("call.updated", { call: call({ direction: "inbound", state: "ringing", record: null, answered_at: null }) });
    await settle();
    expect(store.snapshot.focusId).toBe(ID);
    expect(store.snapshot.matches).toHaveLength(2);
    expect(store.snapshot.contextStatus).toBe("none");
    await store.pickOpportunity("006B");
    await settle();
    expect(client.calls("context.get").at(-1)).toMatchObject({ opportunity_id: "006B" });
    expect(client.calls("calllog.update")).toEqual([{ call_id: ID, opportunity_id: "006B" }]);
    expect(store.snapshot.contextStatus).toBe("ready");
  });

  it("does not take the card from a live call for a second one; answering holds the first", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [] })).on("context.get", () => ({ context: null, matches: [] }));
    const store = new PanelStore(client);
    store.start();
    client.emit("call.updated", { call: call() });
    await settle();
    client.emit("call.updated", { call: call({ id: OTHER, direction: "inbound", state: "ringing", record: null, answered_at: null }) });
    await settle();
    expect(store.snapshot.focusId).toBe(ID);
    expect(store.ringing().map((c) => c.id)).toEqual([OTHER]);
    await store.answer(OTHER);
    expect(client.requests.map((r) => r.method).filter((m) => m.startsWith("call."))).toEqual(["call.hold", "call.answer"]);
    expect(store.snapshot.focusId).toBe(OTHER);
  });

  it("toggles mute and hold from the call's own state", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [call({ muted: true, held: false })] }));
    const store = new PanelStore(client);
    await store.refresh();
    await store.toggleMute();
    await store.toggleHold();
    await store.sendDigits("5");
    expect(client.requests.filter((r) => r.method.startsWith("call.")).map((r) => [r.method, r.params])).toEqual([
      ["call.unmute", { call_id: ID }],
      ["call.hold", { call_id: ID }],
      ["call.dtmf", { call_id: ID, digits: "5" }],
    ]);
  });

  it("consults and completes an attended transfer", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("call.place", () => ({ call: call({ id: OTHER, state: "dialing", record: null }) }));
    const store = new PanelStore(client);
    await store.refresh();
    expect(await store.consult("sip:carol@example.com")).toBe(true);
    expect(store.snapshot.consults[ID]).toBe(OTHER);
    expect(store.snapshot.focusId).toBe(ID);
    expect(await store.completeTransfer()).toBe(true);
    expect(client.calls("call.transfer_attended")).toEqual([{ call_id: ID, consult_call_id: OTHER }]);
    expect(client.calls("call.hold")).toEqual([{ call_id: ID }]);
  });

  it("presents a document: an in-call message with its link, then the call log", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [call()] }));
    const store = new PanelStore(client);
    await store.refresh();
    expect(await store.present(doc("d1"))).toBe(true);
    expect(await store.present(doc("d2"))).toBe(true);
    expect(client.calls("call.message")[0]).toEqual({ call_id: ID, text: "Doc d1: https://files.example.com/d1.pdf" });
    expect(client.calls("calllog.update").at(-1)).toEqual({ call_id: ID, documents_presented: ["d1", "d2"] });
    expect(store.snapshot.presented[ID]).toEqual(["d1", "d2"]);
    expect(await store.present(doc("d3", { url: null }))).toBe(false);
  });

  it("reports a failed action with the host's reason and keeps going", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("call.transfer", () => {
        throw hostError("invalid_target", "not a phone number");
      });
    const store = new PanelStore(client);
    await store.refresh();
    expect(await store.transferBlind("nonsense")).toBe(false);
    expect(store.snapshot.notice).toMatchObject({ kind: "error", key: "notice_transfer_failed", subs: ["not a phone number"] });
  });

  it("saves notes after typing stops and finishes the wrap-up with everything", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [call({ state: "disconnected", end_cause: "normal" })] }));
    const store = new PanelStore(client);
    await store.refresh();
    store.editNotes(ID, "Wants");
    store.editNotes(ID, "Wants a pilot");
    expect(store.snapshot.notes[ID]?.status).toBe("saving");
    await new Promise((r) => setTimeout(r, 900));
    expect(client.calls("calllog.update")).toEqual([{ call_id: ID, notes: "Wants a pilot" }]);
    expect(store.snapshot.notes[ID]?.status).toBe("saved");
    store.setDisposition(ID, "follow_up");
    await store.finishWrapUp(ID);
    expect(client.calls("calllog.update").at(-1)).toEqual({ call_id: ID, disposition: "follow_up", notes: "Wants a pilot", final: true });
    expect(store.snapshot.wrappedUp).toEqual([ID]);
  });

  it("stores a role change, re-groups, and writes back to the page's CRM or locally when it is not set up", async () => {
    const people = [card("c1", "influencer"), card("c2", "evaluator", { is_primary: true })];
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: context(people, [], { missing_roles: ["decision_maker", "economic_buyer"] }), matches: [] }))
      .on("context.set_role", (p) => {
        if (p.crm) throw hostError("unavailable", "salesforce is not configured");
        return {};
      });
    const store = new PanelStore(client);
    await store.refresh();
    await settle();
    const c1 = store.snapshot.people.find((p) => p.contact.id === "c1");
    expect(c1).toBeDefined();
    expect(await store.setRole(c1!, "decision_maker", true)).toBe(true);
    expect(client.calls("context.set_role")).toEqual([
      { opportunity_id: "006A", contact_id: "c1", role: "decision_maker", is_primary: true, crm: "salesforce" },
      { opportunity_id: "006A", contact_id: "c1", role: "decision_maker", is_primary: true },
    ]);
    const s = store.snapshot;
    expect(s.people.map((p) => [p.contact.id, p.role, p.is_primary])).toEqual([
      ["c1", "decision_maker", true],
      ["c2", "evaluator", false],
    ]);
    expect(s.context?.missing_roles).toEqual(["economic_buyer"]);
  });

  it("watches presence of contacts with SIP addresses and shows updates", async () => {
    const people = [card("c1", "influencer", { contact: { id: "c1", last_name: "X", sip_uri: "sip:x@example.com" } })];
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [call()] }))
      .on("context.get", () => ({ context: context(people, []), matches: [] }));
    const store = new PanelStore(client);
    store.start();
    await settle();
    expect(client.calls("presence.subscribe")).toEqual([{ uri: "sip:x@example.com" }]);
    client.emit("presence.updated", { account_id: "local", uri: "sip:x@example.com", status: "busy", note: "" });
    expect(store.snapshot.presence["sip:x@example.com"]).toBe("busy");
  });

  it("says so when the host could not write a call to the call log", async () => {
    const client = new FakeClient().on("calls.list", () => ({ calls: [] }));
    const store = new PanelStore(client);
    store.start();
    await settle();
    client.emit("calllog.write_failed", { call_id: ID, reason: "database or disk is full" });
    expect(store.snapshot.notice).toMatchObject({
      kind: "error",
      key: "notice_calllog_write_failed",
      subs: ["database or disk is full"],
    });
  });
});

describe("userPartNumber", () => {
  it("reads a number from a SIP or tel URI and nothing else", () => {
    expect(userPartNumber("sip:+14155550100@pbx.example.com")).toBe("+14155550100");
    expect(userPartNumber('"Ann" <sip:+44 20 7946 0958@x;user=phone>')).toBe("+442079460958");
    expect(userPartNumber("tel:+14155550100")).toBe("+14155550100");
    expect(userPartNumber("sip:bob@example.com")).toBeNull();
    expect(userPartNumber("sip:12@x")).toBeNull();
  });
});

describe("PanelStore and the page a call came from", () => {
  it("loads the deal again once an update names the call's page", async () => {
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("context.get", (p) => (p.call_id ? { context: context([card("c1", "decision_maker")], []), matches: [] } : { context: null, matches: [] }));
    const store = new PanelStore(client);
    store.start();
    client.emit("call.updated", { call: call({ state: "dialing", record: null, answered_at: null }) });
    await settle();
    expect(store.snapshot.contextStatus).toBe("none");
    client.emit("call.updated", { call: call({ state: "ringing", answered_at: null }) });
    await settle();
    expect(client.calls("context.get").at(-1)).toMatchObject({ call_id: ID });
    expect(store.snapshot.context?.opportunity.id).toBe("006A");
  });
});

describe("PanelStore with a call ringing beside the one it follows", () => {
  it("looks up who is calling without taking the card", async () => {
    const match = { contact: { id: "c9", first_name: "Ann", last_name: "Lee" }, account_name: "Acme", opportunity_id: "006B", opportunity_name: "Deal B", role: "influencer" };
    const client = new FakeClient()
      .on("calls.list", () => ({ calls: [] }))
      .on("context.get", (p) => (p.phone ? { context: null, matches: [match] } : { context: null, matches: [] }));
    const store = new PanelStore(client);
    store.start();
    client.emit("call.updated", { call: call() });
    await settle();
    client.emit("call.updated", { call: call({ id: OTHER, direction: "inbound", state: "ringing", record: null, e164: "+14155550199", answered_at: null }) });
    await settle();
    expect(store.snapshot.focusId).toBe(ID);
    expect(store.snapshot.callers[OTHER]).toEqual([match]);
  });
});
