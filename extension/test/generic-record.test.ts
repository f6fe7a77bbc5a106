// @vitest-environment jsdom
// The generic adapter reads which record a page shows from its schema.org markup:
// microdata or JSON-LD naming an item with an `identifier`. A page without one keeps
// giving a record with a name only.

import { afterEach, describe, expect, it } from "vitest";
// @ts-ignore jsdom ships no type declarations; the little used here is typed below.
import * as jsdomModule from "jsdom";
import { generic, markupRecord } from "../src/content/adapters/generic";
import { readPage } from "../src/content/adapters/index";
import { recordProblems, snapshotProblems } from "../src/content/adapters/clip";

interface DomWindow {
  document: Document;
  close(): void;
}
const { JSDOM } = jsdomModule as unknown as {
  JSDOM: new (html: string, options: { url: string }) => { window: DomWindow };
};

const URL_ = "http://127.0.0.1:8000/opportunities/opp-acme-platform";
const windows: DomWindow[] = [];
afterEach(() => {
  while (windows.length) windows.pop()?.close();
});

function open(body: string, head = ""): Document {
  const dom = new JSDOM(`<!DOCTYPE html><html><head><title>Deal | CRM</title>${head}</head><body>${body}</body></html>`, {
    url: URL_,
  });
  windows.push(dom.window);
  return dom.window.document;
}

const ld = (data: unknown): string => `<script type="application/ld+json">${JSON.stringify(data)}</script>`;

const DEAL_MICRODATA = `
  <main itemscope itemtype="https://schema.org/Thing">
    <meta itemprop="additionalType" content="Opportunity">
    <meta itemprop="identifier" content="opp-acme-platform">
    <h1 itemprop="name">Acme Analytics — Contact Centre Platform</h1>
    <section>
      <div itemprop="subjectOf" itemscope itemtype="https://schema.org/Person">
        <meta itemprop="identifier" content="con-anna-kowalski">
        <span itemprop="name">Anna Kowalski</span>, <span itemprop="roleName">Decision Maker</span>
        <a itemprop="telephone" href="tel:+14155550147">(415) 555-0147</a>
      </div>
    </section>
  </main>`;

describe("generic adapter: the record named by schema.org markup", () => {
  it("reads id, type and name from microdata, not from the people nested in it", () => {
    const doc = open(DEAL_MICRODATA);
    expect(markupRecord(doc)).toEqual({
      objectType: "opportunity",
      recordId: "opp-acme-platform",
      name: "Acme Analytics — Contact Centre Platform",
    });
    const record = generic.record(new URL(URL_), doc);
    expect(record).toEqual({
      crm: "generic",
      instance: "127.0.0.1",
      object_type: "opportunity",
      record_id: "opp-acme-platform",
      name: "Acme Analytics — Contact Centre Platform",
      url: URL_,
    });
    expect(recordProblems(record)).toEqual([]);
  });

  it("puts the record into the snapshot, a deal's name as the opportunity name", () => {
    const doc = open(DEAL_MICRODATA);
    const snapshot = generic.snapshot(new URL(URL_), doc);
    expect(snapshotProblems(snapshot)).toEqual([]);
    expect(snapshot.object_type).toBe("opportunity");
    expect(snapshot.record_id).toBe("opp-acme-platform");
    expect(snapshot.opportunity_name).toBe("Acme Analytics — Contact Centre Platform");
    expect(snapshot.contacts?.map((c) => [c.name, c.role])).toEqual([["Anna Kowalski", "Decision Maker"]]);
  });

  it("follows a WebPage's mainEntity, in microdata and in JSON-LD", () => {
    const micro = open(`
      <body itemscope itemtype="https://schema.org/ItemPage">
        <div itemprop="mainEntity" itemscope itemtype="https://schema.org/Organization">
          <meta itemprop="identifier" content="acc-acme"><h1 itemprop="name">Acme Analytics, Inc.</h1>
        </div>
      </body>`);
    expect(markupRecord(micro)).toEqual({ objectType: "organization", recordId: "acc-acme", name: "Acme Analytics, Inc." });

    const json = open(
      "<h1>Heading</h1>",
      ld({
        "@context": "https://schema.org",
        "@type": "WebPage",
        mainEntity: { "@type": "Thing", additionalType: "Deal", identifier: 27384910562, name: "Big deal" },
      }),
    );
    expect(markupRecord(json)).toEqual({ objectType: "deal", recordId: "27384910562", name: "Big deal" });
  });

  it("reads JSON-LD identifiers given as PropertyValue and nodes in an @graph", () => {
    const doc = open(
      "<h1>Kessler</h1>",
      ld({
        "@context": "https://schema.org",
        "@graph": [
          { "@type": "Organization", name: "No id here" },
          { "@type": "Person", name: "Zoë Müller", identifier: { "@type": "PropertyValue", value: "con-zoe-mueller" } },
        ],
      }),
    );
    expect(markupRecord(doc)).toEqual({ objectType: "person", recordId: "con-zoe-mueller", name: "Zoë Müller" });
    // The name falls back to the heading when the item has none.
    const nameless = open("<h1>Deal 42</h1>", ld({ "@type": "Thing", additionalType: "https://crm.example/types/Opportunity", identifier: "42" }));
    expect(generic.record(new URL(URL_), nameless)).toMatchObject({ object_type: "opportunity", record_id: "42", name: "Deal 42" });
  });

  it("gives no id for markup without an identifier, broken JSON or a nested item only", () => {
    const plain = open(
      `<h1>Weekly menu</h1><div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Cook</span></div>`,
      `<script type="application/ld+json">{not json</script>${ld({ "@type": "Organization", name: "Cafe" })}`,
    );
    expect(markupRecord(plain)).toBeNull();
    expect(generic.record(new URL(URL_), plain)).toEqual({ crm: "generic", instance: "127.0.0.1", name: "Weekly menu", url: URL_ });
    const nestedOnly = open(`<div itemscope><div itemprop="x" itemscope><meta itemprop="identifier" content="inner"></div></div>`);
    expect(markupRecord(nestedOnly)).toBeNull();
  });

  it("clips hostile ids and types to what the host accepts", () => {
    const doc = open(
      `<main itemscope itemtype="https://schema.org/Thing"><meta itemprop="identifier" content="${"x".repeat(500)}">` +
        `<meta itemprop="additionalType" content="${"T".repeat(300)}"><h1 itemprop="name">\u202Eevil</h1></main>`,
    );
    const reading = readPage(new URL(URL_), doc, null);
    expect(recordProblems(reading.record)).toEqual([]);
    expect(snapshotProblems(reading.snapshot!)).toEqual([]);
    expect(reading.record?.record_id?.length ?? 0).toBeLessThanOrEqual(64);
    expect(reading.record?.name).toBe("evil");
  });
});
