// Which page calls wait for the user's word, and the panel's and background's parts of
// that wait: the checks, the pending list, the card's words, the messages between them.
import { describe, expect, it, vi } from "vitest";
import { accountDomains, confirmReason, linkShowsAnotherNumber, sipHost } from "../src/background/dial-checks";
import { DialConfirmations } from "../src/background/dial-confirm";
import { DialConfirmModel, dialConfirmWords } from "../src/sidepanel/dial-confirm";
import { parsePageMessage } from "../src/shared/page-messages";
import { parseUiMessage, type DialConfirmInfo } from "../src/shared/ui-messages";
import type { AccountStatus } from "../src/protocol/index";
import type { Logger } from "../src/background/logger";

const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as Logger;

function account(config: Partial<AccountStatus["config"]> & { id: string; uri: string }): AccountStatus {
  return { config, has_password: false, registration: "none", status_code: null, reason: "", expires_s: null } as unknown as AccountStatus;
}

describe("a link's visible number against what it dials", () => {
  it("accepts the usual writings of the same number", () => {
    for (const shown of ["+1 415 555 0146", "(415) 555-0146", "1-415-555-0146", "415.555.0146", "011 1 415 555 0146", "Call +1 (415) 555-0146"]) {
      expect(linkShowsAnotherNumber(shown, "+14155550146"), shown).toBe(false);
    }
    expect(linkShowsAnotherNumber("030 901820", "+4930901820")).toBe(false);
    expect(linkShowsAnotherNumber("+49 30 901820", "+4930901820")).toBe(false);
    expect(linkShowsAnotherNumber("０３０ ９０１８２０", "+4930901820")).toBe(false); // full-width digits
  });

  it("flags a different number, and text with other digits", () => {
    expect(linkShowsAnotherNumber("+1 415 555 0145", "+14155550199")).toBe(true);
    expect(linkShowsAnotherNumber("+1 415 555 0146 ext 2", "+14155550146")).toBe(true);
    expect(linkShowsAnotherNumber("Call 24/7", "+19005550188")).toBe(true);
  });

  it("has nothing to compare on a link without a number", () => {
    expect(linkShowsAnotherNumber("Call us", "+19005550188")).toBe(false);
    expect(linkShowsAnotherNumber("", "+19005550188")).toBe(false);
    expect(linkShowsAnotherNumber("+1 415 555 0145", "sip:bob@example.com")).toBe(false);
  });
});

describe("SIP URIs and the accounts' domains", () => {
  const domains = accountDomains([
    account({ id: "local", uri: "sip:me@127.0.0.1" }),
    account({ id: "pbx", uri: "sip:alice@pbx.example.com", registrar: "sip:reg.example.com:5060;transport=tcp", dial_plan: { domain: "[2001:db8::1]:5080" } as never }),
  ]);

  it("collects each account's hosts, never the built-in direct account's", () => {
    expect([...domains].sort()).toEqual(["2001:db8::1", "pbx.example.com", "reg.example.com"]);
  });

  it("reads a URI's host", () => {
    expect(sipHost("sip:bob@PBX.example.com:5061;transport=tls")).toBe("pbx.example.com");
    expect(sipHost("sips:[2001:db8::1]:5061")).toBe("2001:db8::1");
    expect(sipHost("+14155550100")).toBeNull();
  });

  it("asks for a URI outside them, and for every URI when there is no account", () => {
    expect(confirmReason("sip:bob@pbx.example.com", null, domains)).toBeNull();
    expect(confirmReason("sip:bob@reg.example.com", null, domains)).toBeNull();
    expect(confirmReason("sip:bob@evil.example.net", null, domains)).toBe("sip_domain");
    expect(confirmReason("sip:bob@pbx.example.com.evil.net", null, domains)).toBe("sip_domain");
    expect(confirmReason("sip:bob@pbx.example.com", null, new Set())).toBe("sip_domain");
    expect(confirmReason("+14155550199", "+1 415 555 0145", domains)).toBe("link_mismatch");
    expect(confirmReason("+14155550199", null, domains)).toBeNull();
  });
});

describe("DialConfirmations", () => {
  const info = { reason: "link_mismatch" as const, shown: "+1 415 555 0145", target: "+14155550199", display: "+1 415 555 0199", site: "https://crm.example" };

  it("runs a call only on the user's yes, once", async () => {
    const dials = new DialConfirmations(logger);
    const lists: number[] = [];
    dials.onChange((pending) => lists.push(pending.length));
    const run = vi.fn(async () => undefined);
    const id = dials.ask(info, run);
    expect(dials.list().map((p) => p.id)).toEqual([id]);
    expect(run).not.toHaveBeenCalled();
    expect(await dials.answer(id, true)).toBe(true);
    expect(await dials.answer(id, true)).toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
    expect(lists).toEqual([1, 0]);
  });

  it("forgets a call on cancel, and keeps at most five", async () => {
    const dials = new DialConfirmations(logger);
    const run = vi.fn(async () => undefined);
    const id = dials.ask(info, run);
    expect(await dials.answer(id, false)).toBe(true);
    expect(run).not.toHaveBeenCalled();
    for (let i = 0; i < 7; i++) dials.ask({ ...info, target: `+1415555010${i}` }, run);
    expect(dials.list().map((p) => p.target)).toEqual(["+14155550102", "+14155550103", "+14155550104", "+14155550105", "+14155550106"]);
  });
});

describe("the panel's confirmation model", () => {
  const pending: DialConfirmInfo = { id: "dial-1", reason: "link_mismatch", shown: "+1 415 555 0145", target: "+14155550199", display: "+1 415 555 0199", site: "https://crm.example" };

  it("says what the link shows and what it calls, and answers once", () => {
    let push: (list: DialConfirmInfo[]) => void = () => undefined;
    const answers: [string, boolean][] = [];
    const model = new DialConfirmModel({
      onDialConfirm: (listener) => {
        push = listener;
        return () => undefined;
      },
      answerDial: (id, accept) => (answers.push([id, accept]), true),
    });
    model.start();
    push([pending]);
    expect(model.list()).toEqual([pending]);
    const words = dialConfirmWords(pending);
    expect(words.body).toBe("This link shows “+1 415 555 0145” but calls +1 415 555 0199.");
    expect(words.call).toBe("Call +1 415 555 0199");
    model.confirm("dial-1");
    model.confirm("dial-1");
    model.cancel("nope");
    expect(answers).toEqual([["dial-1", true]]);
    expect(model.list()).toEqual([]);
    expect(dialConfirmWords({ ...pending, reason: "sip_domain", display: "sip:bob@evil.example" }).body).toContain("sip:bob@evil.example");
  });
});

describe("messages", () => {
  it("the user's answer is checked on the UI port", () => {
    expect(parseUiMessage({ type: "dial-answer", id: "dial-1", accept: true })).toEqual({ type: "dial-answer", id: "dial-1", accept: true });
    expect(parseUiMessage({ type: "dial-answer", id: "dial-1", accept: "yes" })).toBeNull();
    expect(parseUiMessage({ type: "dial-answer", id: "dial 1", accept: true })).toBeNull();
    expect(parseUiMessage({ type: "dial-answer", id: "dial-1", accept: true, extra: 1 })).toBeNull();
  });

  it("a page call may carry the link's text, bounded", () => {
    const base = { type: "rolecall:place", target: "+14155550199", record: null, snapshot: null };
    expect(parsePageMessage({ ...base, shown: "+1 415 555 0145" })).toMatchObject({ shown: "+1 415 555 0145" });
    expect(parsePageMessage(base)).not.toHaveProperty("shown");
    expect(parsePageMessage({ ...base, shown: 5 })).toBeNull();
    expect(parsePageMessage({ ...base, shown: "x".repeat(257) })).toBeNull();
  });
});
