// @vitest-environment jsdom
// The CRM adapters against fixture pages that reproduce each CRM's DOM
// (tests/fixtures/crm/<crm>/<name>.html with <name>.expected.json beside it), and
// against hostile pages: whatever a page holds, readPage never throws and what it
// returns always fits the host's models.

import { afterEach, describe, expect, it, vi } from "vitest";
// @ts-ignore jsdom ships no type declarations; the little used here is typed below.
import * as jsdomModule from "jsdom";
import { findPhoneNumbersInText, parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { CrmAdapter } from "../src/content/adapter";
import { ADAPTERS, adapterFor, readPage } from "../src/content/adapters/index";
import {
  cleanText,
  cleanUrl,
  clipContacts,
  clipSnapshot,
  codePoints,
  contactProblems,
  recordProblems,
  snapshotProblems,
} from "../src/content/adapters/clip";
import { classifyHeader } from "../src/content/adapters/tables";
import { walkElements } from "../src/content/adapters/dom";

interface DomWindow {
  document: Document;
  close(): void;
}
const { JSDOM } = jsdomModule as unknown as {
  JSDOM: new (html: string, options: { url: string; runScripts?: "dangerously" }) => { window: DomWindow };
};

// Fixture files are read with node:fs, reached without Node's type declarations.
const nodeProcess = (globalThis as unknown as {
  process: { cwd(): string; getBuiltinModule(id: string): unknown };
}).process;
const fs = nodeProcess.getBuiltinModule("node:fs") as {
  readFileSync(path: string, encoding: "utf8"): string;
  existsSync(path: string): boolean;
};
const FIXTURES = (() => {
  for (const dir of [`${nodeProcess.cwd()}/../tests/fixtures/crm`, `${nodeProcess.cwd()}/tests/fixtures/crm`]) {
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error("tests/fixtures/crm not found");
})();

interface Expected {
  record: { crm: string; object_type?: string; record_id?: string; name?: string };
  numbers: string[];
  contacts: { name: string; role: string; title?: string }[];
  documents: number;
}

interface Fixture {
  crm: string;
  file: string;
  /** Where the real page lives. */
  url: string;
  /** Elements beside a number (by CSS selector, shadow trees included) and whose number it is. */
  near: { selector: string; contact: string | null }[];
}

const CASES: Fixture[] = [
  {
    crm: "salesforce",
    file: "opportunity",
    url: "https://acme.lightning.force.com/lightning/r/Opportunity/006Dn00000K7xQbIAJ/view",
    near: [
      { selector: "#maria-phone", contact: "Maria Gonzalez" },
      { selector: "#james-phone", contact: "James Okafor" },
      { selector: "#lena-phone", contact: "Lena Vogel" },
      { selector: "#account-phone", contact: null },
    ],
  },
  {
    crm: "dynamics",
    file: "opportunity",
    url: "https://contoso.crm4.dynamics.com/main.aspx?appid=5b1c6a3e-2f8d-ec11-8d21-000d3a8b7c45&pagetype=entityrecord&etn=opportunity&id=8f2d7c1a-4b3e-ef11-8409-6045bd8c1234",
    near: [
      { selector: "#anna-phone", contact: "Dr. Anna Schmidt" },
      { selector: "#anna-grid-phone", contact: "Dr. Anna Schmidt" },
      { selector: "#markus-phone", contact: "Markus Brandt" },
      { selector: "#sophie-phone", contact: "Sophie Laurent" },
      { selector: "#priya-phone", contact: "Priya Raman" },
      { selector: "#account-phone", contact: null },
      { selector: "#timeline-phone", contact: null },
    ],
  },
  {
    crm: "hubspot",
    file: "deal",
    url: "https://app.hubspot.com/contacts/4815162/record/0-3/27384910562",
    near: [
      { selector: "#hannah-phone", contact: "Hannah Cole" },
      { selector: "#raj-phone", contact: "Raj Patel" },
      { selector: "#olivia-phone", contact: "Olivia Brooks" },
      { selector: "#company-phone", contact: null },
      { selector: "#note-phone", contact: null },
    ],
  },
  {
    crm: "zoho",
    file: "deal",
    url: "https://crm.zoho.eu/crm/org20071234567/tab/Potentials/4876876000000391017",
    near: [
      { selector: "#oliver-phone", contact: "Oliver Hughes" },
      { selector: "#amelia-phone", contact: "Amelia Clarke" },
      { selector: "#noah-phone", contact: "Noah Fischer" },
      { selector: "#note-phone", contact: null },
    ],
  },
  {
    crm: "pipedrive",
    file: "deal",
    url: "https://acme-sales.pipedrive.com/deal/1842",
    near: [
      { selector: "#karin-phone", contact: "Karin Müller" },
      { selector: "#jonas-phone", contact: "Jonas Weber" },
      { selector: "#ana-phone", contact: "Ana Ruiz" },
      { selector: "#org-phone", contact: null },
    ],
  },
  {
    crm: "generic",
    file: "deal-summary",
    url: "https://intranet.vandelay.example/deals/vandelay-renewal-2027",
    near: [
      { selector: "#heinz-phone", contact: "Heinz Richter" },
      { selector: "#claudia-phone", contact: "Claudia Neumann" },
      { selector: "#lucia-phone", contact: "Lucía Fernández" },
      { selector: "#wang-phone", contact: "王伟" },
      { selector: "#art-phone", contact: "Art Vandelay" },
      { selector: "#elaine-phone", contact: "Elaine Benes" },
      { selector: "#reception-phone", contact: null },
    ],
  },
];

function load(fixture: Fixture): string {
  return fs.readFileSync(`${FIXTURES}/${fixture.crm}/${fixture.file}.html`, "utf8");
}

function expected(fixture: Fixture): Expected {
  return JSON.parse(fs.readFileSync(`${FIXTURES}/${fixture.crm}/${fixture.file}.expected.json`, "utf8")) as Expected;
}

const windows: DomWindow[] = [];
afterEach(() => {
  while (windows.length) windows.pop()?.close();
  vi.restoreAllMocks();
});

function open(html: string, url: string): Document {
  const dom = new JSDOM(html, { url, runScripts: "dangerously" });
  windows.push(dom.window);
  return dom.window.document;
}

/** The first element matching `selector`, shadow trees included. */
function find(doc: Document, selector: string): Element {
  for (const el of walkElements(doc)) if (el.matches(selector)) return el;
  throw new Error(`no ${selector}`);
}

/** The text node or link inside `el` that holds its number: what a call button sits beside. */
function numberNode(el: Element): Element {
  for (const inner of walkElements(el)) if (inner.tagName === "A" && /^tel:/i.test(inner.getAttribute("href") ?? "")) return inner;
  return el;
}

function expectValid(reading: ReturnType<typeof readPage>): void {
  if (reading.record) expect(recordProblems(reading.record)).toEqual([]);
  if (reading.snapshot) expect(snapshotProblems(reading.snapshot)).toEqual([]);
  if (reading.contact) expect(contactProblems(reading.contact)).toEqual([]);
  expect(() => JSON.stringify(reading)).not.toThrow();
}

// ---------------------------------------------------------------------------------
// Phone numbers a page shows, found the way the expected numbers are counted: a tel:
// link once, a phone input once, a number in text (outside tel: links) once.

const PHONE_LABEL = /phone|telefon|téléphone|teléfono|mobile|mobil|电话/i;

function shownNumbers(doc: Document): string[] {
  const out: string[] = [];
  const e164 = (raw: string): string | null => parsePhoneNumberFromString(raw, "US")?.number ?? null;
  const visit = (node: Node, inLink: boolean): void => {
    if (node.nodeType === 3) {
      if (inLink) return;
      for (const hit of findPhoneNumbersInText((node as Text).data, "US")) out.push(hit.number.number);
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 11 && node.nodeType !== 9) return;
    const el = node as Element;
    if (node.nodeType === 1) {
      if (["SCRIPT", "STYLE", "TEMPLATE", "TITLE", "HEAD"].includes(el.tagName)) return;
      if (el.tagName === "A" && /^tel:/i.test(el.getAttribute("href") ?? "")) {
        const n = e164(decodeURIComponent((el.getAttribute("href") ?? "").slice(4)));
        if (n) out.push(n);
        inLink = true;
      }
      if (el.tagName === "INPUT") {
        const input = el as HTMLInputElement;
        const label = `${input.getAttribute("aria-label") ?? ""} ${input.getAttribute("data-id") ?? ""}`;
        if (input.type === "tel" || (input.type === "text" && PHONE_LABEL.test(label))) {
          const n = e164(input.value);
          if (n) out.push(n);
        }
        return;
      }
      const shadow = (el as Element & { shadowRoot: ShadowRoot | null }).shadowRoot;
      if (shadow) for (const kid of Array.from(shadow.childNodes)) visit(kid, inLink);
    }
    for (const kid of Array.from(node.childNodes)) visit(kid, inLink);
  };
  visit(doc, false);
  return out;
}

// ---------------------------------------------------------------------------------

describe.each(CASES)("$crm/$file", (fixture) => {
  const want = expected(fixture);
  const adapter = (): CrmAdapter => ADAPTERS.find((a) => a.crm === fixture.crm)!;

  it("is read by its CRM's adapter, at the CRM's address and as a copy served from elsewhere", () => {
    const html = load(fixture);
    expect(adapterFor(new URL(fixture.url), open(html, fixture.url)).crm).toBe(fixture.crm);
    const served = `http://127.0.0.1:8000/${fixture.crm}/${fixture.file}.html`;
    expect(adapterFor(new URL(served), open(html, served)).crm).toBe(fixture.crm);
  });

  it("names the record in view", () => {
    for (const url of [fixture.url, `http://127.0.0.1:8000/${fixture.crm}/${fixture.file}.html`]) {
      const doc = open(load(fixture), url);
      const record = adapter().record(new URL(url), doc);
      expect(record).not.toBeNull();
      expect(recordProblems(record)).toEqual([]);
      for (const [key, value] of Object.entries(want.record)) {
        expect(record?.[key as keyof typeof record], `${key} from ${url}`).toBe(value);
      }
    }
    const record = adapter().record(new URL(fixture.url), open(load(fixture), fixture.url));
    expect(record?.url).toBe(new URL(fixture.url).href);
    expect(record?.instance).toBe(new URL(fixture.url).hostname);
  });

  it("snapshots the deal, its people with their roles, and its documents", () => {
    const doc = open(load(fixture), fixture.url);
    const snapshot = adapter().snapshot(new URL(fixture.url), doc);
    expect(snapshotProblems(snapshot)).toEqual([]);
    expect(snapshot.crm).toBe(fixture.crm);
    if (want.record.record_id) expect(snapshot.record_id).toBe(want.record.record_id);
    if (want.record.object_type) expect(snapshot.object_type).toBe(want.record.object_type);
    const people = (snapshot.contacts ?? []).map((c) => ({
      name: c.name,
      role: c.role ?? "",
      ...(c.title ? { title: c.title } : {}),
    }));
    expect(people).toEqual(want.contacts.map((c) => ({ ...c })));
    expect(snapshot.documents ?? []).toHaveLength(want.documents);
    for (const d of snapshot.documents ?? []) expect(d.url).toMatch(/^https?:\/\//);
  });

  it("shows exactly the expected phone numbers, and no amount, date or id as one", () => {
    const doc = open(load(fixture), fixture.url);
    expect(shownNumbers(doc)).toEqual(want.numbers);
  });

  it("knows whose number is beside each phone", () => {
    const doc = open(load(fixture), fixture.url);
    for (const { selector, contact } of fixture.near) {
      const near = numberNode(find(doc, selector));
      const found = adapter().contactNear(near, doc);
      expect(found?.name ?? null, selector).toBe(contact);
      const reading = readPage(new URL(fixture.url), doc, near);
      expectValid(reading);
      expect(reading.contact?.name ?? null).toBe(contact);
      if (contact) {
        expect(reading.snapshot?.contacts?.[0]?.name).toBe(contact);
        expect(reading.snapshot?.contacts?.filter((c) => c.name === contact)).toHaveLength(1);
      }
    }
  });

  it("reads the same through readPage, valid for the host", () => {
    const doc = open(load(fixture), fixture.url);
    const reading = readPage(new URL(fixture.url), doc, null);
    expectValid(reading);
    expect(reading.record?.crm).toBe(fixture.crm);
    expect(reading.snapshot?.crm).toBe(fixture.crm);
    expect(reading.contact).toBeNull();
  });
});

// ---------------------------------------------------------------------------------
// Hostile and odd pages: readPage never throws, and its output always fits the host.

function page(body: string, url = "https://example.com/page", head = ""): Document {
  return open(`<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`, url);
}

function peopleTable(rows: string[][], header = ["Name", "Role", "Phone"]): string {
  const head = `<tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("");
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

describe("hostile pages", () => {
  it("keeps a name with markup as text, never as markup, and strips bidi overrides and controls", () => {
    const doc = page(
      peopleTable([
        ["&lt;script&gt;alert(1)&lt;/script&gt; Eve", "Decision\u202Emaker", "+1 415 555 0101"],
        ["Mallory\u0000\u0007\u200B\u2066 Jones\u2069", "Influencer\u0085", "+1 415 555 0102"],
      ]),
    );
    const reading = readPage(new URL("https://example.com/page"), doc, null);
    expectValid(reading);
    const [eve, mallory] = reading.snapshot?.contacts ?? [];
    expect(eve?.name).toBe("<script>alert(1)</script> Eve");
    expect(eve?.role).toBe("Decisionmaker");
    expect(mallory?.name).toBe("Mallory Jones");
    expect(mallory?.role).toBe("Influencer");
    for (const c of reading.snapshot?.contacts ?? []) {
      expect(JSON.stringify(c)).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    }
  });

  it("cuts 10,000 people to the host's 500", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`Person ${i}`, "Evaluator", `+1 415 555 01${String(i % 100).padStart(2, "0")}`]);
    const doc = page(peopleTable(rows));
    const near = doc.querySelectorAll("tbody tr")[9_999]!.lastElementChild!;
    const reading = readPage(new URL("https://example.com/page"), doc, near);
    expectValid(reading);
    expect(reading.snapshot?.contacts).toHaveLength(500);
    expect(reading.contact?.name).toBe("Person 9999");
    expect(reading.snapshot?.contacts?.[0]?.name).toBe("Person 9999");
  }, 180_000); // jsdom on a loaded machine is slow: the limit is room, not a measure of speed

  it("drops javascript:, data: and other non-http document links, and resolves relative ones", () => {
    const doc = page(
      `<a href="javascript:alert(1)//x.pdf">Evil.pdf</a>
       <a href="JaVaScRiPt:alert(1)" download>Evil 2</a>
       <a href="data:application/pdf;base64,AAAA" download>Data.pdf</a>
       <a href="file:///etc/passwd.pdf">Local.pdf</a>
       <a href="docs/Q3%20plan.pdf">Q3 plan</a>
       <a href="https://user:secret@files.example.com/contract.docx">Contract</a>`,
      "https://intranet.example.com/deals/42/",
    );
    const reading = readPage(new URL("https://intranet.example.com/deals/42/"), doc, null);
    expectValid(reading);
    expect(reading.snapshot?.documents).toEqual([
      { title: "Q3 plan", kind: "pdf", url: "https://intranet.example.com/deals/42/docs/Q3%20plan.pdf" },
      { title: "Contract", kind: "docx", url: "https://files.example.com/contract.docx" },
    ]);
  });

  it("clips every field to the host's limits, in code points", () => {
    const long = "𝔄".repeat(5_000);
    const phones = Array.from({ length: 30 }, (_, i) => `<a href="tel:+1415555${String(1000 + i)}">call</a>`).join(" ");
    const doc = page(
      `<h1>${long}</h1>
       <div class="vcard"><span class="fn">${long}</span><span class="title">${long}</span>
         <span class="role">${long}</span>${phones}<a class="email" href="mailto:${"a".repeat(400)}@x.example">mail</a></div>
       <a href="https://example.com/${"p".repeat(3_000)}.pdf">Too long a link</a>`,
    );
    const reading = readPage(new URL("https://example.com/page"), doc, doc.querySelector(".vcard a[href^=tel]"));
    expectValid(reading);
    expect(codePoints(reading.record?.name ?? "")).toBe(200);
    const contact = reading.snapshot?.contacts?.[0];
    expect(codePoints(contact?.name ?? "")).toBe(200);
    expect(codePoints(contact?.role ?? "")).toBe(100);
    expect(contact?.phones).toHaveLength(10);
    expect(contact?.email).toBeUndefined();
    expect(reading.snapshot?.documents).toBeUndefined();
  });

  it("falls back to the generic reader when the chosen adapter throws, and to nothing when that throws too", () => {
    const fixture = CASES[0]!;
    const doc = open(load(fixture), fixture.url);
    const salesforce = ADAPTERS.find((a) => a.crm === "salesforce")!;
    const generic = ADAPTERS.find((a) => a.crm === "generic")!;
    vi.spyOn(salesforce, "snapshot").mockImplementation(() => {
      throw new Error("layout changed");
    });
    let reading = readPage(new URL(fixture.url), doc, null);
    expectValid(reading);
    // The generic reader still knows the CRM and the record from the URL scheme table.
    expect(reading.record).toMatchObject({ crm: "salesforce", object_type: "opportunity", record_id: "006Dn00000K7xQbIAJ" });
    expect(reading.snapshot?.contacts?.map((c) => c.name)).toContain("Maria Gonzalez");

    vi.spyOn(generic, "record").mockImplementation(() => {
      throw new Error("worse");
    });
    reading = readPage(new URL(fixture.url), doc, null);
    expect(reading).toEqual({ record: null, snapshot: null, contact: null });
  });

  it("skips an adapter whose matches() throws", () => {
    const salesforce = ADAPTERS.find((a) => a.crm === "salesforce")!;
    vi.spyOn(salesforce, "matches").mockImplementation(() => {
      throw new Error("boom");
    });
    const doc = page("<h1>Hi</h1>", "https://acme.lightning.force.com/lightning/r/Opportunity/006Dn00000K7xQbIAJ/view");
    expect(adapterFor(new URL(doc.URL), doc).crm).toBe("generic");
    expectValid(readPage(new URL(doc.URL), doc, null));
  });

  it("keeps output valid when an adapter returns junk", () => {
    const generic = ADAPTERS.find((a) => a.crm === "generic")!;
    vi.spyOn(generic, "record").mockReturnValue({
      crm: "Not A CRM!",
      name: "x".repeat(999),
      url: "javascript:alert(1)",
      record_id: "y".repeat(100),
      extra: "field",
    } as never);
    vi.spyOn(generic, "snapshot").mockReturnValue({
      crm: "",
      contacts: [{ name: "" }, { name: "Ok", phones: Array(50).fill("+1 415 555 0100"), junk: 1 }],
      documents: [{ title: "", url: "ftp://x/y.pdf" }],
    } as never);
    vi.spyOn(generic, "contactNear").mockReturnValue({ name: "\u202E" } as never);
    const doc = page("<p>+1 415 555 0100</p>");
    const reading = readPage(new URL(doc.URL), doc, doc.querySelector("p"));
    expectValid(reading);
    expect(reading.record).toEqual({ crm: "notacrm", name: `${"x".repeat(199)}…` });
    expect(reading.snapshot?.contacts).toEqual([{ name: "Ok", phones: ["+1 415 555 0100"] }]);
    expect(reading.contact).toBeNull();
  });

  it("reads a page that is no CRM with the generic adapter, and an empty page as nothing much", () => {
    const doc = page("<h1>Weekly menu</h1><p>Soup 4.50, bread 2.00. Call +1 415 555 0123.</p>", "https://cafe.example.org/menu");
    expect(adapterFor(new URL(doc.URL), doc).crm).toBe("generic");
    const reading = readPage(new URL(doc.URL), doc, doc.querySelector("p"));
    expectValid(reading);
    expect(reading.record).toEqual({ crm: "generic", instance: "cafe.example.org", name: "Weekly menu", url: "https://cafe.example.org/menu" });
    expect(reading.snapshot).toEqual({ crm: "generic", page_key: "https://cafe.example.org/menu" });
    expect(reading.contact).toBeNull();

    const empty = open("", "about:blank");
    const nothing = readPage(new URL("about:blank"), empty, null);
    expectValid(nothing);
    expect(nothing.record?.url).toBeUndefined();
  });

  it("survives deep nesting, shadow trees within shadow trees and a detached element", () => {
    const doc = page(`${"<div>".repeat(3_000)}<span id="deep">+1 415 555 0109</span>${"</div>".repeat(3_000)}`);
    let host = doc.body.appendChild(doc.createElement("x-a"));
    for (let i = 0; i < 50; i++) {
      const shadow = host.attachShadow({ mode: "open" });
      host = shadow.appendChild(doc.createElement("x-a"));
    }
    host.textContent = "+1 415 555 0110";
    for (const near of [doc.getElementById("deep"), host, doc.createElement("span")]) {
      expectValid(readPage(new URL(doc.URL), doc, near));
    }
  });
});

describe("reading aids", () => {
  it("recognises Name and Role/Title columns in five languages", () => {
    const cases: [string, string | null][] = [
      ["Name", "name"], ["Contact Name", "name"], ["Full Name", "name"], ["Nom", "name"], ["Nombre", "name"], ["姓名", "name"],
      ["Role", "role"], ["Contact Role", "role"], ["Rolle", "role"], ["Rôle", "role"], ["Función", "role"], ["角色", "role"],
      ["Title", "title"], ["Job Title", "title"], ["Job Title (Connected To)", "title"], ["Position", "title"],
      ["Berufsbezeichnung", "title"], ["Poste", "title"], ["Cargo", "title"], ["职位", "title"],
      ["Business Phone", "phone"], ["Telefon", "phone"], ["Téléphone", "phone"], ["电话", "phone"],
      ["E-Mail", "email"], ["Sort by: Name", "name"],
      ["Account Name", null], ["Opportunity Name", null], ["File Name", null], ["Amount", null], ["", null],
    ];
    for (const [header, kind] of cases) expect(classifyHeader(header), header).toBe(kind);
  });

  it("reads a Salesforce page served from elsewhere without its saved-from mark by its markers", () => {
    const fixture = CASES[0]!;
    const html = load(fixture).replace(/<!-- saved from url=[^>]*-->/, "");
    const url = "http://127.0.0.1:8000/salesforce/opportunity.html";
    const doc = open(html, url);
    expect(adapterFor(new URL(url), doc).crm).toBe("salesforce");
    const reading = readPage(new URL(url), doc, null);
    expectValid(reading);
    expect(reading.record).toMatchObject({ crm: "salesforce", name: "Northwind Traders — 2026 Platform Renewal", instance: "127.0.0.1" });
    expect(reading.record?.record_id).toBeUndefined();
    expect(reading.snapshot?.contacts).toHaveLength(4);
  });

  it("takes Zoho's record id from its related lists when the URL does not hold it", () => {
    const zoho = CASES.find((c) => c.crm === "zoho")!;
    const html = load(zoho).replace(/<!-- saved from url=[^>]*-->/, "");
    const doc = open(html, "http://127.0.0.1:8000/zoho/deal.html");
    const record = readPage(new URL(doc.URL), doc, null).record;
    expect(record).toMatchObject({ crm: "zoho", record_id: "4876876000000391017", name: "Initech — ERP migration phase 2" });
  });

  it("takes a record from a canonical link", () => {
    const doc = page(
      '<div data-test="deal-title">Acme deal</div>',
      "http://localhost:3000/copy.html",
      '<link rel="canonical" href="https://acme.pipedrive.com/deal/77">',
    );
    expect(readPage(new URL(doc.URL), doc, null).record).toEqual({
      crm: "pipedrive",
      instance: "acme.pipedrive.com",
      object_type: "deal",
      record_id: "77",
      name: "Acme deal",
      url: "https://acme.pipedrive.com/deal/77",
    });
  });

  it("cleans text and URLs the way the host needs them", () => {
    expect(cleanText("  a\n\tb\u00a0 c ", 10)).toBe("a b c");
    expect(cleanText("\u202Ecba\u202C", 10)).toBe("cba");
    expect(cleanText("abcdef", 4)).toBe("abc…");
    expect(cleanText("😀😀😀", 2)).toBe("😀…");
    expect(cleanText("x\uD800y", 10)).toBe("xy");
    expect(cleanUrl("/a b", "https://h.example/x/")).toBe("https://h.example/a%20b");
    expect(cleanUrl("javascript:alert(1)", "https://h.example/")).toBeNull();
    expect(cleanUrl(" \u0000java\nscript:alert(1)", "https://h.example/")).toBeNull();
    expect(cleanUrl("vbscript:x", null)).toBeNull();
    const people = clipContacts([{ name: "Ann Lee", role: "Evaluator" }, { name: "ann lee", title: "CTO", phones: ["+1 415 555 0100"] }]);
    expect(people).toEqual([{ name: "Ann Lee", role: "Evaluator", title: "CTO", phones: ["+1 415 555 0100"] }]);
    expect(snapshotProblems(clipSnapshot({ crm: "X Y", contacts: [], documents: [] }, null))).toEqual([]);
  });
});

describe("a person's own record page", () => {
  it("Salesforce: a number in a Contact's fields is that contact's", () => {
    const url = "https://acme.lightning.force.com/lightning/r/Contact/003Dn00000Pq7RsIAJ/view";
    const doc = page(
      `<one-record-home-flexipage2>
        <records-lwc-highlights-panel><records-highlights2><h1><records-entity-label>Contact</records-entity-label>
          <lightning-formatted-name>Ms. Maria Gonzalez</lightning-formatted-name></h1></records-highlights2></records-lwc-highlights-panel>
        <records-record-layout-item field-label="Title"><span class="test-id__field-label">Title</span>
          <span class="test-id__field-value">VP Operations</span></records-record-layout-item>
        <records-record-layout-item field-label="Mobile"><span class="test-id__field-label">Mobile</span>
          <span class="test-id__field-value"><a id="mobile" href="tel:+14155550142">(415) 555-0142</a></span></records-record-layout-item>
       </one-record-home-flexipage2>
       <div class="activity"><a id="other" href="tel:+14155550199">(415) 555-0199</a></div>`,
      url,
    );
    const reading = readPage(new URL(url), doc, doc.getElementById("mobile"));
    expectValid(reading);
    expect(reading.record).toMatchObject({ crm: "salesforce", object_type: "contact", name: "Ms. Maria Gonzalez" });
    expect(reading.contact).toMatchObject({ name: "Ms. Maria Gonzalez", title: "VP Operations", phones: ["+14155550142"] });
    expect(reading.snapshot?.opportunity_name).toBeUndefined();
    expect(readPage(new URL(url), doc, doc.getElementById("other")).contact).toBeNull();
  });

  it("Dynamics: a contact form's Business Phone is that contact's", () => {
    const url = "https://org1.crm.dynamics.com/main.aspx?appid=1&pagetype=entityrecord&etn=contact&id=0a6f2b4c-5d3e-ef11-8409-6045bd8c0012";
    const doc = page(
      `<div data-id="form-header"><h1 data-id="header_title">Markus Brandt<span data-id="header_saveStatus">- Saved</span></h1></div>
       <input data-id="fullname_compositionLinkControl_firstname.fieldControl-text-box-text" value="Markus">
       <input data-id="fullname_compositionLinkControl_lastname.fieldControl-text-box-text" value="Brandt">
       <input data-id="jobtitle.fieldControl-text-box-text" value="IT-Leiter">
       <input id="phone" type="text" aria-label="Business Phone" data-id="telephone1.fieldControl-phone-text-input" value="+49 30 90182023">
       <div data-id="parentcustomerid_qfc-QuickFormContainer">
         <input id="acct" type="tel" data-id="parentcustomerid_qfc.telephone1.fieldControl-phone-text-input" value="+49 30 90182000">
       </div>`,
      url,
    );
    const reading = readPage(new URL(url), doc, doc.getElementById("phone"));
    expectValid(reading);
    expect(reading.record).toMatchObject({ crm: "dynamics", object_type: "contact", name: "Markus Brandt" });
    expect(reading.contact).toMatchObject({ name: "Markus Brandt", title: "IT-Leiter", phones: ["+49 30 90182023"] });
    expect(readPage(new URL(url), doc, doc.getElementById("acct")).contact).toBeNull();
  });

  it("HubSpot and Zoho: a contact's page names the contact", () => {
    const hs = "https://app-eu1.hubspot.com/contacts/4815162/record/0-1/51234";
    let doc = page(
      `<div data-test-id="left-sidebar"><span data-selenium-test="highlightTitle">Hannah Cole</span>
        <a id="p" href="tel:+15035550123">+1 503-555-0123</a></div>`,
      hs,
    );
    let reading = readPage(new URL(hs), doc, doc.getElementById("p"));
    expect(reading.record).toMatchObject({ crm: "hubspot", object_type: "contact", record_id: "51234", name: "Hannah Cole" });
    expect(reading.contact?.name).toBe("Hannah Cole");

    const zo = "https://crm.zoho.com/crm/org1/tab/Contacts/4876876000000390101";
    doc = page(
      `<crux-detailpage-header><span id="recHeader1" class="cxDvRecordHeader1">Oliver Hughes</span></crux-detailpage-header>
       <div data-zcqa="secDiv_Contact_Information">
         <div class="cxDvInfoFormField" id="field_label_1" data-zcqa="dtVw_lbl_TITLE">Title</div><div id="field_1">CIO</div>
         <div class="cxDvInfoFormField" id="field_label_2" data-zcqa="dtVw_lbl_PHONE">Phone</div><div id="field_2"><span id="p">+44 20 7946 0415</span></div>
       </div>`,
      zo,
    );
    reading = readPage(new URL(zo), doc, doc.getElementById("p"));
    expectValid(reading);
    expect(reading.record).toMatchObject({ crm: "zoho", object_type: "contact", name: "Oliver Hughes" });
    expect(reading.contact).toMatchObject({ name: "Oliver Hughes", title: "CIO", phones: ["+44 20 7946 0415"] });
  });
});
