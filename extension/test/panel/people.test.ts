import { describe, expect, it } from "vitest";
import { groupByRole, matchesQuery, orderGroups } from "../../src/sidepanel/people";
import { pickCall } from "../../src/background/call-commands";
import { card, call } from "./fake-client";

describe("people", () => {
  it("orders by the fixed role order, primary first within a role, stable otherwise", () => {
    const people = [card("a", "none"), card("b", "evaluator"), card("c", "decision_maker"), card("d", "evaluator", { is_primary: true }), card("e", "other")];
    const ordered = orderGroups(people);
    expect(ordered.map((p) => p.contact.id)).toEqual(["c", "d", "b", "e", "a"]);
    expect(groupByRole(ordered).map((g) => [g.role, g.contacts.length])).toEqual([
      ["decision_maker", 1],
      ["evaluator", 2],
      ["other", 1],
      ["none", 1],
    ]);
  });

  it("matches every word against name, title, account, email and phone digits, ignoring accents", () => {
    const zoe = card("z", "evaluator", { contact: { id: "z", first_name: "Zoë", last_name: "Müller", title: "CTO", phones: [{ raw: "(415) 555-0100", e164: "+14155550100" }] } });
    expect(matchesQuery(zoe, "zoe muller")).toBe(true);
    expect(matchesQuery(zoe, "cto acme")).toBe(true);
    expect(matchesQuery(zoe, "4155550100")).toBe(true);
    expect(matchesQuery(zoe, "zoe cfo")).toBe(false);
    expect(matchesQuery(zoe, "  ")).toBe(true);
  });
});

describe("keyboard commands", () => {
  const ringing = call({ id: "r".repeat(32), direction: "inbound", state: "ringing", created_at: 5 });
  const talking = call({ id: "t".repeat(32), created_at: 3 });
  const held = call({ id: "h".repeat(32), held: true, created_at: 4 });

  it("answer takes the ringing call; hang-up the talking one, else declines", () => {
    expect(pickCall("answer-call", [talking, ringing])).toEqual({ method: "call.answer", callId: ringing.id });
    expect(pickCall("hang-up", [talking, held, ringing])).toEqual({ method: "call.hangup", callId: talking.id });
    expect(pickCall("hang-up", [ringing])).toEqual({ method: "call.decline", callId: ringing.id });
    expect(pickCall("answer-call", [talking])).toBeNull();
  });

  it("mute and hold toggle the current call", () => {
    expect(pickCall("toggle-mute", [talking])).toEqual({ method: "call.mute", callId: talking.id });
    expect(pickCall("toggle-mute", [call({ muted: true })])).toMatchObject({ method: "call.unmute" });
    expect(pickCall("toggle-hold", [held])).toEqual({ method: "call.resume", callId: held.id });
    expect(pickCall("toggle-hold", [call({ state: "dialing" })])).toBeNull();
  });
});
