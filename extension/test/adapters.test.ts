// @vitest-environment jsdom
// The CRM adapters against fixture pages that reproduce each CRM's DOM
// (tests/fixtures/crm/<crm>/<name>.html with <name>.expected.json beside it), and
// against hostile pages: whatever a page holds, readPage never throws and what it
// returns always fits the host's models.

import { afterEach, describe, expect, it, vi } from "vitest";
// @ts-ignore jsdom ships no type declarations; the little used here is typed below.
import * as jsdomModule from "jsdom";
import { findPhoneNumbersInText, parsePhoneNumberFromString } from "libphonenumber-js";
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
