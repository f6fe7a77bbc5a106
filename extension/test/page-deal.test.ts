// @vitest-environment jsdom
// The deal on the page in view, on CRMs without an adapter: pages reconstructed from
// each CRM's public templates (tests/fixtures/crm/<crm>/<name>.html, with
// <name>.expected.json giving the page's URL and everything it must yield), and the
// URL scheme table row by row.

import { afterEach, describe, expect, it } from "vitest";
// @ts-ignore jsdom ships no type declarations; the little used here is typed below.
import * as jsdomModule from "jsdom";
import { readPage } from "../src/content/adapters/index";
import { snapshotProblems } from "../src/content/adapters/clip";
import { identify, URL_SCHEMES } from "../src/content/page-deal/url-schemes";
import { canonicalRole } from "../src/content/page-deal/roles";

interface DomWindow {
  document: Document;
  close(): void;
}
const { JSDOM } = jsdomModule as unknown as {
  JSDOM: new (html: string, options: { url: string }) => { window: DomWindow };
};
const nodeProcess = (globalThis as unknown as { process: { cwd(): string; getBuiltinModule(id: string): unknown } }).process;
const fs = nodeProcess.getBuiltinModule("node:fs") as {
  readFileSync(path: string, encoding: "utf8"): string;
  existsSync(path: string): boolean;
  readdirSync(path: string): string[];
};
const FIXTURES = [`${nodeProcess.cwd()}/../tests/fixtures/crm`, `${nodeProcess.cwd()}/tests/fixtures/crm`].find((d) => fs.existsSync(d))!;
const ADAPTER_CRMS = new Set(["salesforce", "dynamics", "hubspot", "zoho", "pipedrive", "generic"]);

interface Expected {
  url: string;
  record: { crm: string; object_type: string; record_id: string };
  is_deal: boolean;
  name?: string;
  deal?: Record<string, string>;
  contacts: { name: string; canonical_role?: string; title?: string; phones: string[] }[];
  documents: { title: string; kind: string; size?: string }[];
}

const cases: { crm: string; file: string; want: Expected }[] = [];
for (const crm of fs.readdirSync(FIXTURES)) {
  if (ADAPTER_CRMS.has(crm)) continue;
  for (const name of fs.readdirSync(`${FIXTURES}/${crm}`)) {
    if (!name.endsWith(".expected.json")) continue;
    const file = name.replace(/\.expected\.json$/, "");
    cases.push({ crm, file, want: JSON.parse(fs.readFileSync(`${FIXTURES}/${crm}/${name}`, "utf8")) as Expected });
  }
}

const windows: DomWindow[] = [];
afterEach(() => {
  while (windows.length) windows.pop()?.close();
});

function open(crm: string, file: string, url: string): Document {
  const dom = new JSDOM(fs.readFileSync(`${FIXTURES}/${crm}/${file}.html`, "utf8"), { url });
  windows.push(dom.window);
  return dom.window.document;
}

it("has pages of at least twelve CRMs beyond the adapters' six", () => {
  expect(new Set(cases.map((c) => c.crm)).size).toBeGreaterThanOrEqual(12);
});

describe.each(cases)("$crm/$file", ({ crm, file, want }) => {
  it("reads the record, the deal, its people with roles, and its documents", () => {
    const doc = open(crm, file, want.url);
    const { record, snapshot } = readPage(new URL(want.url), doc, null);
    expect(snapshot).not.toBeNull();
    expect(snapshotProblems(snapshot)).toEqual([]);
    expect(record?.crm).toBe(want.record.crm);
    expect(record?.record_id ?? "").toBe(want.record.record_id);
    expect(snapshot?.object_type ?? "").toBe(want.record.object_type);
    expect(snapshot?.is_deal ?? false).toBe(want.is_deal);
    if (!want.is_deal) {
      expect(snapshot?.opportunity_name ?? "").toBe("");
      expect(snapshot?.deal).toBeUndefined();
      return;
    }
    expect(snapshot?.page_key).toBe(`${want.record.crm}:${new URL(want.url).hostname}/${want.record.object_type}/${want.record.record_id}`);
    expect(snapshot?.opportunity_name).toBe(want.name);
    expect(record?.name).toBe(want.name);
    expect(snapshot?.deal).toEqual(want.deal);
    const people = snapshot?.contacts ?? [];
    expect(people.map((p) => p.name)).toEqual(want.contacts.map((c) => c.name));
    for (const c of want.contacts) {
      const got = people.find((p) => p.name === c.name)!;
      expect(got.canonical_role).toBe(c.canonical_role);
      if (c.canonical_role) expect(got.role ?? "").not.toBe("");
      if (c.title !== undefined) expect(got.title).toBe(c.title);
      expect((got.phones ?? []).map((p) => p.replace(/(?!^\+)\D/g, ""))).toEqual(c.phones);
    }
    const docs = (snapshot?.documents ?? []).map((d) => ({ title: d.title, kind: d.kind, ...(d.size ? { size: d.size } : {}) }));
    expect(docs).toEqual(want.documents);
    for (const d of snapshot?.documents ?? []) expect(d.url).toMatch(/^https?:\/\//);
  });
});

describe.each(cases)("$crm/$file saved and served elsewhere", ({ crm, file, want }) => {
  it("is read the same from the address its saved-from mark names", () => {
    const doc = open(crm, file, `http://127.0.0.1/crm/${crm}/${file}.html`);
    const { record, snapshot } = readPage(new URL(doc.URL), doc, null);
    expect(record?.crm).toBe(want.record.crm);
    expect(record?.record_id ?? "").toBe(want.record.record_id);
    expect(snapshot?.is_deal ?? false).toBe(want.is_deal);
    if (want.is_deal) expect(snapshot?.opportunity_name).toBe(want.name);
  });
});

describe("the record's name", () => {
  it("is never the window's title, as on the two CRMs first tried", () => {
    for (const title of ["Sale Opportunity", "Change Deal ID1"]) {
      const url = "https://crm.example/index.php?module=Opportunities&action=DetailView&record=1";
      const dom = new JSDOM(`<!doctype html><title>${title}</title><p>Call +1 415 555 0123</p>`, { url });
      windows.push(dom.window);
      const { record, snapshot } = readPage(new URL(url), dom.window.document, null);
      expect(record?.record_id).toBe("1");
      expect(record?.name).toBeUndefined();
      expect(snapshot?.opportunity_name).toBeUndefined();
    }
  });

  it("is the name field over the heading", () => {
    const url = "https://espo.example/#Opportunity/view/64a1f0c2b3e4d5a6f";
    const html = `<title>Opportunity</title><h2>Details</h2><input name="name" value="Real deal name">`;
    const dom = new JSDOM(html, { url });
    windows.push(dom.window);
    const { record, snapshot } = readPage(new URL(url), dom.window.document, null);
    expect(record?.name).toBe("Real deal name");
    expect(snapshot?.opportunity_name).toBe("Real deal name");
  });
});

describe("a hostile deal page", () => {
  it("gives deal fields, roles and documents clipped to the host's limits", () => {
    const url = "https://crm.example/app/opportunity/OPP-1";
    const long = "x\u202e".repeat(400);
    const html = `<h1>${long}</h1>
      <dl><dt>Stage</dt><dd>${long}</dd><dt>Amount</dt><dd>1 ${long}</dd><dt>Currency</dt><dd>eur</dd><dt>Owner</dt><dd>${long}</dd></dl>
      <table><thead><tr><th>Contact</th><th>Role</th><th>Phone</th></tr></thead>
      <tbody><tr><td>${long}</td><td>${long} (champion)</td><td>+1 415 555 0100</td></tr></tbody></table>
      <section class="attachments"><h3>Files</h3><a href="javascript:alert(1)">evil.pdf</a><a href="/f/${"a".repeat(3000)}.pdf">big.pdf</a>
      <a href="/f/ok.pdf" type="${long}">ok.pdf</a> ${"9".repeat(100)} MB</section>`;
    const dom = new JSDOM(html, { url });
    windows.push(dom.window);
    const { snapshot } = readPage(new URL(url), dom.window.document, null);
    expect(snapshotProblems(snapshot)).toEqual([]);
    expect(snapshot?.is_deal).toBe(true);
    expect(snapshot?.deal?.stage?.length).toBeLessThanOrEqual(100);
    expect(snapshot?.deal?.currency).toBeUndefined();
    expect(snapshot?.documents?.map((d) => d.title)).toEqual(["ok.pdf"]);
    expect(snapshot?.documents?.[0]?.kind).toBe("pdf");
    expect(JSON.stringify(snapshot)).not.toContain("\u202e");
  });
});

describe("URL schemes", () => {
  const SAMPLES: [string, string, string, string, boolean][] = [
    ["salesforce", "https://acme.lightning.force.com/lightning/r/Opportunity/006Dn00000K7xQbIAJ/view", "opportunity", "006Dn00000K7xQbIAJ", true],
    ["salesforce", "https://acme.lightning.force.com/lightning/o/Opportunity/list?filterName=Recent", "opportunity", "", false],
    ["dynamics", "https://x.crm4.dynamics.com/main.aspx?pagetype=entityrecord&etn=opportunity&id=%7B8f2d7c1a-4b3e-ef11-8409-6045bd8c1234%7D", "opportunity", "8f2d7c1a-4b3e-ef11-8409-6045bd8c1234", true],
    ["dynamics", "https://x.crm4.dynamics.com/main.aspx?pagetype=entitylist&etn=opportunity", "opportunity", "", false],
    ["hubspot", "https://app.hubspot.com/contacts/4815162/record/0-3/27384910562", "deal", "27384910562", true],
    ["zoho", "https://crm.zoho.eu/crm/org20071234567/tab/Potentials/4876876000000391017", "potential", "4876876000000391017", true],
    ["pipedrive", "https://acme.pipedrive.com/deal/1842", "deal", "1842", true],
    ["odoo", "https://erp.example/web#id=42&model=crm.lead&view_type=form", "opportunity", "42", true],
    ["odoo", "https://erp.example/web#model=crm.lead&view_type=kanban", "opportunity", "", false],
    ["odoo", "https://erp.example/odoo/crm/42", "opportunity", "42", true],
    ["suitecrm", "https://crm.example/index.php?module=Opportunities&action=DetailView&record=6f3c1d2e-7a8b-4c5d-9e0f-112233445566", "opportunity", "6f3c1d2e-7a8b-4c5d-9e0f-112233445566", true],
    ["suitecrm", "https://crm.example/index.php?module=Opportunities&action=index", "opportunity", "", false],
    ["suitecrm", "https://crm.example/public/#/opportunities/record/6f3c1d2e-7a8b-4c5d-9e0f-112233445566", "opportunity", "6f3c1d2e-7a8b-4c5d-9e0f-112233445566", true],
    ["sugarcrm", "https://sugar.example/#Opportunities/6f3c1d2e-7a8b-4c5d-9e0f-112233445566", "opportunity", "6f3c1d2e-7a8b-4c5d-9e0f-112233445566", true],
    ["espocrm", "https://espo.example/#Opportunity/view/64a1f0c2b3e4d5a6f", "opportunity", "64a1f0c2b3e4d5a6f", true],
    ["espocrm", "https://espo.example/#Opportunity", "opportunity", "", false],
    ["vtiger", "https://vt.example/index.php?module=Potentials&view=Detail&record=127", "potential", "127", true],
    ["vtiger", "https://vt.example/index.php?module=Potentials&view=List", "potential", "", false],
    ["frappe", "https://erp.example/app/opportunity/CRM-OPP-2026-00017", "opportunity", "CRM-OPP-2026-00017", true],
    ["frappe", "https://erp.example/app/opportunity", "opportunity", "", false],
    ["frappe", "https://crm.example/crm/deals/CRM-DEAL-2026-00003", "deal", "CRM-DEAL-2026-00003", true],
    ["twenty", "https://twenty.example/object/opportunity/0a6b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "opportunity", "0a6b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", true],
    ["twenty", "https://twenty.example/objects/opportunities", "opportunity", "", false],
    ["copper", "https://app.copper.com/companies/123456/app#/deal/987654", "deal", "987654", true],
    ["close", "https://app.close.com/lead/lead_4Fk2mQ9xZ1/", "lead", "lead_4Fk2mQ9xZ1", true],
    ["freshsales", "https://acme.myfreshworks.com/crm/sales/deals/16000123456", "deal", "16000123456", true],
    ["insightly", "https://crm.na1.insightly.com/details/Opportunity/33445566", "opportunity", "33445566", true],
    ["insightly", "https://crm.na1.insightly.com/list/Opportunity/", "opportunity", "", false],
    ["bitrix24", "https://acme.bitrix24.de/crm/deal/details/318/", "deal", "318", true],
    ["bitrix24", "https://acme.bitrix24.de/crm/deal/kanban/", "deal", "", false],
    ["creatio", "https://acme.creatio.com/0/Shell/#Card/OpportunityPageV2/edit/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "opportunity", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", true],
    ["zendesk_sell", "https://app.futuresimple.com/sales/deals/51234567", "deal", "51234567", true],
    ["keap", "https://ab123.infusionsoft.com/Opportunity/manageOpportunity.jsp?view=edit&ID=88", "opportunity", "88", true],
    ["monday", "https://acme.monday.com/boards/4012345678/pulses/4012345999", "item", "4012345999", true],
    ["monday", "https://acme.monday.com/boards/4012345678", "item", "", false],
  ];

  it.each(SAMPLES)("%s reads %s", (crm, url, type, id, single) => {
    const got = identify(new URL(url));
    expect(got).toMatchObject({ crm, objectType: type, recordId: id, single });
  });

  it("has a row, with its source, for every CRM it names", () => {
    const crms = new Set(URL_SCHEMES.map((s) => s.crm));
    expect(crms.size).toBeGreaterThanOrEqual(21);
    for (const s of URL_SCHEMES) expect(s.source.length).toBeGreaterThan(10);
    for (const [crm] of SAMPLES) expect(crms.has(crm)).toBe(true);
  });

  it("keys a page the same across reloads, actions, tracking and anchors", () => {
    const a = identify(new URL("https://intranet.example/deals/4711/edit?utm_source=mail&fbclid=x#notes"));
    const b = identify(new URL("https://intranet.example/deals/4711"));
    expect(a).toMatchObject({ crm: "generic", objectType: "deal", recordId: "4711", single: true });
    expect(a.key).toBe(b.key);
    expect(identify(new URL("https://intranet.example/deals?page=2")).single).toBe(false);
  });
});

describe("roles", () => {
  it.each([
    ["Champion", "influencer"], ["Technical evaluator", "technical_buyer"], ["Entscheider", "decision_maker"],
    ["决策人", "decision_maker"], ["Décideur", "decision_maker"], ["Tomador de decisiones", "decision_maker"],
    ["Economic Buyer", "economic_buyer"], ["Technischer Prüfer", "technical_buyer"], ["技术评估人", "technical_buyer"],
    ["Patrocinador ejecutivo", "executive_sponsor"], ["Utilisateur final", "business_user"],
  ])("%s → %s", (text, role) => {
    expect(canonicalRole(text)).toBe(role);
  });
  it("maps wording it does not know to nothing", () => {
    expect(canonicalRole("Gardener")).toBeNull();
  });
});
