import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CountryCode } from "libphonenumber-js";
import * as libphonenumber from "libphonenumber-js/max";
import { dialableFromText } from "../src/shared/phone/dialable";
import { isPhoneFieldLabel } from "../src/shared/phone/field-labels";
import { formatNumber } from "../src/shared/phone/format";
import { dialableFromHref } from "../src/shared/phone/links";
import { mayHoldNumber } from "../src/shared/phone/prefilter";
import { defaultRegion } from "../src/shared/phone/region";
import { findNumbersInText, shownNumber } from "../src/shared/phone/text-search";
import type { FoundNumber } from "../src/shared/phone/types";

// The search is wrapped (unchanged) so tests can tell whether a text ever
// reached libphonenumber.
vi.mock("libphonenumber-js/max", async (importOriginal) => {
  const actual = await importOriginal<typeof import("libphonenumber-js/max")>();
  return {
    ...actual,
    searchPhoneNumbersInText: vi.fn(actual.searchPhoneNumbersInText),
    parsePhoneNumberFromString: vi.fn(actual.parsePhoneNumberFromString),
  };
});
const searchSpy = vi.mocked(libphonenumber.searchPhoneNumbersInText);
const parseSpy = vi.mocked(libphonenumber.parsePhoneNumberFromString);

// The corpus files are read with node:fs, reached without Node's type declarations.
const nodeProcess = (globalThis as unknown as {
  process: { cwd(): string; getBuiltinModule(id: string): unknown };
}).process;
const fs = nodeProcess.getBuiltinModule("node:fs") as {
  readFileSync(path: string, encoding: "utf8"): string;
  existsSync(path: string): boolean;
};
const CORPUS = (() => {
  for (const dir of [`${nodeProcess.cwd()}/test/corpus`, `${nodeProcess.cwd()}/extension/test/corpus`]) {
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error("test/corpus not found");
})();

interface NumberEntry {
  text: string;
  region: CountryCode | null;
  e164: string[];
}
interface LookalikeEntry {
  text: string;
  region: CountryCode;
  why: string;
}

const numbers = JSON.parse(fs.readFileSync(`${CORPUS}/numbers.json`, "utf8")) as NumberEntry[];
const lookalikes = JSON.parse(fs.readFileSync(`${CORPUS}/lookalikes.json`, "utf8")) as LookalikeEntry[];

const region = (entry: { region: CountryCode | null }): CountryCode | undefined => entry.region ?? undefined;
const found = (text: string, where?: CountryCode): string[] => findNumbersInText(text, where).map((n) => n.e164);
const shown = (text: string, n: FoundNumber): string => `${n.e164} at ${JSON.stringify(text.slice(n.start, n.end))}`;

/** Regions every look-alike is also scanned with: a page can be read with any of them. */
const OTHER_REGIONS: (CountryCode | undefined)[] = [
  "US", "GB", "DE", "FR", "IN", "BR", "JP", "IT", "ES", "AU", "CN", undefined,
];

describe("corpus", () => {
  it("has 200+ numbers over 20+ regions and 100+ look-alikes", () => {
    expect(numbers.length).toBeGreaterThanOrEqual(200);
    expect(new Set(numbers.map((n) => n.region).filter((r) => r !== null)).size).toBeGreaterThanOrEqual(20);
    expect(lookalikes.length).toBeGreaterThanOrEqual(100);
    for (const entry of numbers) {
      expect(entry.e164.length).toBeGreaterThan(0);
      for (const e164 of entry.e164) expect(libphonenumber.isValidPhoneNumber(e164), e164).toBe(true);
    }
  });

  it("measures precision and recall", () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const problems: string[] = [];
    for (const entry of numbers) {
      const got = findNumbersInText(entry.text, region(entry));
      const want = [...entry.e164];
      for (const n of got) {
        const at = want.indexOf(n.e164);
        if (at >= 0) {
          want.splice(at, 1);
          truePositives++;
        } else {
          falsePositives++;
          problems.push(`unexpected ${shown(entry.text, n)} in ${JSON.stringify(entry.text)} (${entry.region})`);
        }
      }
      falseNegatives += want.length;
      for (const missed of want) problems.push(`missed ${missed} in ${JSON.stringify(entry.text)} (${entry.region})`);
    }
    let lookalikeHits = 0;
    for (const entry of lookalikes) {
      for (const n of findNumbersInText(entry.text, entry.region)) {
        lookalikeHits++;
        falsePositives++;
        problems.push(`look-alike (${entry.why}) gave ${shown(entry.text, n)} (${entry.region})`);
      }
    }
    const recall = truePositives / (truePositives + falseNegatives);
    const precision = truePositives / (truePositives + falsePositives);
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    console.log(
      `detection: recall ${pct(recall)} (${truePositives}/${truePositives + falseNegatives}), ` +
        `precision ${pct(precision)} (${truePositives}/${truePositives + falsePositives}); ` +
        `${numbers.length} texts over ${new Set(numbers.map((n) => n.region ?? "none")).size} regions, ` +
        `${lookalikes.length} look-alikes (${lookalikeHits} numbers found in them)`,
    );
    if (problems.length > 0) console.log(`detection problems:\n  ${problems.join("\n  ")}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(precision).toBeGreaterThanOrEqual(0.98);
  });

  it.each(numbers.map((entry) => [entry.text, entry] as const))("finds %j", (_text, entry) => {
    const got = findNumbersInText(entry.text, region(entry));
    expect(got.map((n) => n.e164)).toEqual(entry.e164);
    expect(mayHoldNumber(entry.text)).toBe(true);
    let last = 0;
    for (const n of got) {
      // In order, not overlapping, and each range holds the number it names.
      expect(n.start).toBeGreaterThanOrEqual(last);
      expect(n.end).toBeGreaterThan(n.start);
      last = n.end;
      const piece = entry.text
        .slice(n.start, n.end)
        .replace(/[\u200B-\u200F\u2060\u00AD]/g, "")
        .replace(/[\t\n\u2000-\u200A\u202F\u205F]/g, " ");
      const parsed = libphonenumber.parsePhoneNumberFromString(piece, region(entry));
      expect(parsed?.number, piece).toBe(n.e164);
    }
  });

  it.each(lookalikes.map((entry) => [entry.text, entry] as const))("finds nothing in %j", (_text, entry) => {
    expect(found(entry.text, entry.region), entry.why).toEqual([]);
  });

  it("finds nothing in the look-alikes whatever the region", () => {
    const hits: string[] = [];
    for (const entry of lookalikes) {
      for (const where of OTHER_REGIONS) {
        for (const n of findNumbersInText(entry.text, where)) {
          hits.push(`${where}: ${shown(entry.text, n)} (${entry.why})`);
        }
      }
    }
    expect(hits).toEqual([]);
  });
});

describe("findNumbersInText", () => {
  it("gives UTF-16 offsets into the original text", () => {
    const text = "Ring 📞 Jane: (415) 555-0132 or +44 20 7946 0018.";
    const got = findNumbersInText(text, "US");
    expect(got).toEqual([
      { start: text.indexOf("("), end: text.indexOf(" or"), e164: "+14155550132" },
      { start: text.indexOf("+44"), end: text.length - 1, e164: "+442079460018" },
    ]);
  });

  it("includes an extension in the range but not in the number", () => {
    const text = "Office: 312-555-0178 x204, thanks";
    expect(findNumbersInText(text, "US")).toEqual([{ start: 8, end: 25, e164: "+13125550178" }]);
  });

  it("reads national numbers with the given region only", () => {
    expect(found("030 23125 123", "DE")).toEqual(["+493023125123"]);
    expect(found("030 23125 123", undefined)).toEqual([]);
    expect(found("(415) 555-0132", undefined)).toEqual([]);
    expect(found("(415) 555-0132", "DE")).toEqual([]);
    expect(found("+1 (415) 555-0132", "DE")).toEqual(["+14155550132"]);
    expect(found("0049 30 23125 123", "FR")).toEqual(["+493023125123"]);
    expect(found("011 49 30 23125 123", "US")).toEqual(["+493023125123"]);
  });

  it("requires the national prefix where the country writes one", () => {
    expect(found("01 99 00 12 34", "FR")).toEqual(["+33199001234"]);
    expect(found("1 99 00 12 34", "FR")).toEqual([]);
    expect(found("199 001 234", "FR")).toEqual([]);
    expect(found("912 345 678", "ES")).toEqual(["+34912345678"]); // Spain has no national prefix
  });

  it("keeps lists of numbers apart, commas included", () => {
    expect(found("415-555-0178,415-555-0179", "US")).toEqual(["+14155550178", "+14155550179"]);
    expect(found("415-555-0178, 415-555-0179", "US")).toEqual(["+14155550178", "+14155550179"]);
    expect(found("Dial 415-555-0186,,1234", "US")).toEqual(["+14155550186"]);
  });

  it("does not read numbers shown right to left", () => {
    // Shown as "2310 555 514 1+": not what would be dialled.
    expect(found("\u202E+1 415 555 0132\u202C", "US")).toEqual([]);
    expect(found("Call \u202E+1 415 555 0132", "US")).toEqual([]);
    expect(found("\u202B+1 415 555 0132\u202C", "US")).toEqual([]);
    expect(found("\u2067+1 415 555 0132\u2069", "US")).toEqual([]);
    // A control character inside the number.
    expect(found("+1 415\u202D 555 0132", "US")).toEqual([]);
    // The override is closed before the number, starts after it, or ends with the paragraph.
    expect(found("\u202Eabc\u202C +1 415 555 0132", "US")).toEqual(["+14155550132"]);
    expect(found("+1 415 555 0132 \u202Eabc", "US")).toEqual(["+14155550132"]);
    expect(found("\u202Eabc\n+1 415 555 0132", "US")).toEqual(["+14155550132"]);
    // Left-to-right isolation inside right-to-left text is fine.
    expect(found("\u2067abc \u2066+1 415 555 0132\u2069 def\u2069", "US")).toEqual(["+14155550132"]);
    expect(found("\u2068+1 415 555 0132\u2069", "US")).toEqual(["+14155550132"]);
    // Right-to-left letters are not overrides.
    expect(found("טלפון: 03-123-4568", "IL")).toEqual(["+97231234568"]);
    // Deep nesting does not hide an override.
    expect(found(`${"\u2066".repeat(200)}\u202E+1 415 555 0132`, "US")).toEqual([]);
  });

  it("reads the number as displayed around zero-width characters", () => {
    const text = "Call \u200B415\u200B555\u200B0132\u200B.";
    expect(findNumbersInText(text, "US")).toEqual([{ start: 6, end: 18, e164: "+14155550132" }]);
    expect(found("\uFEFF+1 415 555 0132", "US")).toEqual(["+14155550132"]);
    expect(found("+1 415\u00AD555\u00AD0132", "US")).toEqual(["+14155550132"]);
    expect(found("+1 415 555 0132\u200D", "US")).toEqual(["+14155550132"]);
    // Shown as 01329 or 013 29: not a number.
    expect(found("+1 415 555 0132\u200B9", "US")).toEqual([]);
    expect(found("+1 415 555 013\u2060" + "29", "US")).toEqual([]);
  });

  it("ends a number at a line break or tab, not at a typographic space", () => {
    expect(found("Tel. 030 23125 123\n10115 Berlin", "DE")).toEqual(["+493023125123"]);
    expect(found("030 23125 123\t10115", "DE")).toEqual(["+493023125123"]);
    expect(found("+33\u202F1\u202F99\u202F00\u202F12\u202F34", "FR")).toEqual(["+33199001234"]);
    expect(found("+1\u2009415\u2009555\u20090132", "US")).toEqual(["+14155550132"]);
  });

  it("takes full-width and Arabic-Indic digits, not digits libphonenumber would drop", () => {
    expect(found("０３－１２３４－５６７８", "JP")).toEqual(["+81312345678"]);
    expect(found("٠٤ ٣٤٥ ٦٧٨٩", "AE")).toEqual(["+97143456789"]);
    expect(found("+1 415 555 ०१३२", "US")).toEqual([]);
  });

  it("handles empty, tiny and junk input", () => {
    for (const text of ["", " ", "+", "()", "1", "+1", "ext. 12", "\u202E", "\u200B".repeat(10), "�".repeat(20)]) {
      expect(found(text, "US")).toEqual([]);
    }
    expect(found("+1 415 555 0132", "XX" as CountryCode)).toEqual(["+14155550132"]);
  });

  it("finishes on megabyte texts", () => {
    const MB = 1 << 20;
    const fill = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
    const texts = [
      fill("0123456789"),
      fill("0 1 2 3 4 5 6 7 8 9 "),
      fill("1.2.3.4.5.6.7 "),
      fill("1-"),
      fill("(415) 555-0132, "),
      fill("\u202E+1 415 555 0132 "),
      fill("4\u200B1\u200B5\u200B"),
      `1${"\u200B".repeat(MB)}2`,
      fill("415 555 0132 ext "),
      fill("Lorem ipsum 2024-05-01 1.234.567,89 € "),
    ];
    for (const text of texts) {
      // A guard against run-away work (seconds), not a speed measurement.
      const started = Date.now();
      const result = findNumbersInText(text, "US");
      mayHoldNumber(text);
      expect(Date.now() - started, JSON.stringify(text.slice(0, 30))).toBeLessThan(5000);
      expect(result.length).toBeLessThanOrEqual(500);
    }
  });
});

describe("mayHoldNumber", () => {
  beforeEach(() => {
    searchSpy.mockClear();
  });

  it("rejects typical table cells without reaching libphonenumber", () => {
    const cells = [
      "",
      "Proposal",
      "Closed Won",
      "$12,500.00",
      "€1.234.567,89",
      "1.234.567,89 €",
      "1 234 567 ₽",
      "12 345 678,90 €",
      "2024-05-01",
      "2024-05-01 12:30",
      "2024-05-01T12:30:00Z",
      "01.05.2024",
      "01.05.24, 12:30",
      "05/01/2024",
      "5/1/2024 3:45 PM",
      "1 May 2024 12:30",
      "May 1, 2024, 12:30 PM",
      "75%",
      "12",
      "006Dn00000A1b2cIAB",
      "INV-2024-000123",
      "jane@example.com",
      "SW1A 1AA",
      "94105",
    ];
    for (const cell of cells) {
      expect(mayHoldNumber(cell), cell).toBe(false);
      expect(findNumbersInText(cell, "US")).toEqual([]);
    }
    expect(searchSpy).not.toHaveBeenCalled();
  });

  it("lets only the number cells of a big table through to libphonenumber", () => {
    const areas = [201, 303, 404, 512, 602, 702, 808, 904, 916, 971];
    const cells: string[] = [];
    for (let row = 0; row < 5000; row++) {
      const line = String((row / 5) % 100).padStart(2, "0");
      cells.push(`Contact ${row}`);
      cells.push(row % 5 === 0 ? `(${areas[Math.floor(row / 500)]}) 555-01${line}` : "");
      cells.push(`$${(row * 1234.5).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
      cells.push(`2024-${String((row % 12) + 1).padStart(2, "0")}-${String((row % 28) + 1).padStart(2, "0")} 12:30`);
      cells.push(["Proposal", "Negotiation", "Closed Won", "75%"][row % 4] as string);
    }
    let numbersFound = 0;
    for (const cell of cells) numbersFound += findNumbersInText(cell, "US").length;
    expect(numbersFound).toBe(1000);
    expect(searchSpy).toHaveBeenCalledTimes(1000);
    // Scanning the table again finds the same numbers from memory.
    searchSpy.mockClear();
    numbersFound = 0;
    for (const cell of cells) numbersFound += findNumbersInText(cell, "US").length;
    expect(numbersFound).toBe(1000);
    expect(searchSpy).not.toHaveBeenCalled();
  });

  it("remembers a text that is one number as exactly what the search found", () => {
    const texts = [
      "+44 20 7946 0958", // the whole text: remembered as the number alone
      "(415) 555-0132",
      "  +1 212 555 0100 ", // spaces around it: remembered with its place
      "415-555-0178,415-555-0179",
      "Deal 4417",
    ];
    const fresh = texts.map((text) => findNumbersInText(text, "US"));
    expect(fresh[0]).toEqual([{ start: 0, end: 16, e164: "+442079460958" }]);
    expect(fresh[1]).toEqual([{ start: 0, end: 14, e164: "+14155550132" }]);
    expect(fresh[2]).toEqual([{ start: 2, end: 17, e164: "+12125550100" }]);
    expect(fresh[3]).toHaveLength(2);
    expect(fresh[4]).toEqual([]);
    searchSpy.mockClear();
    parseSpy.mockClear();
    expect(texts.map((text) => findNumbersInText(text, "US"))).toEqual(fresh);
    expect(searchSpy).not.toHaveBeenCalled(); // from memory, none of them read again
    expect(parseSpy).not.toHaveBeenCalled();
  });

  it("hands out results the caller may change", () => {
    const first = findNumbersInText("Call (919) 555-0150 today", "US");
    (first[0] as FoundNumber).e164 = "changed";
    first.push({ start: 0, end: 1, e164: "+1" });
    expect(findNumbersInText("Call (919) 555-0150 today", "US")).toEqual([{ start: 5, end: 19, e164: "+19195550150" }]);
    // The region is part of what is remembered.
    expect(findNumbersInText("Call (919) 555-0150 today", "DE")).toEqual([]);
  });

  it("accepts every corpus number and a number anywhere in a text", () => {
    for (const entry of numbers) expect(mayHoldNumber(entry.text), entry.text).toBe(true);
    expect(mayHoldNumber(`${"Lorem ipsum 2024-05-01 ".repeat(100)}+1 415 555 0132`)).toBe(true);
    expect(mayHoldNumber("$5 (415) 555-0132")).toBe(true);
  });
});

describe("dialableFromHref", () => {
  const number = (target: string, display: string) => ({ target, e164: target, display });

  it("reads tel: links with visual separators and parameters", () => {
    const want = number("+14155550132", "+1 415 555 0132");
    for (const href of [
      "tel:+14155550132",
      "tel:+1-415-555-0132",
      "tel:+1.415.555.0132",
      "tel:+1 (415) 555-0132",
      "TEL:+14155550132",
      "tel://+14155550132",
      " tel:+14155550132 ",
      "tel:+1-415-555-0132;ext=123",
      "tel:+1-415-555-0132;isub=12;postd=pp22",
      "tel:%2B14155550132",
      "tel:+1%20415%20555%200132",
      "tel:5550132;phone-context=+1-415",
    ]) {
      expect(dialableFromHref(href, undefined), href).toEqual(want);
    }
    expect(dialableFromHref("tel:(415) 555-0132", "US")).toEqual(want);
    expect(dialableFromHref("tel:020 7946 0018", "GB")).toEqual(number("+442079460018", "+44 20 7946 0018"));
    expect(dialableFromHref("tel:00442079460018", "DE")).toEqual(number("+442079460018", "+44 20 7946 0018"));
  });

  it("reads callto: links with numbers", () => {
    const want = number("+14155550132", "+1 415 555 0132");
    expect(dialableFromHref("callto:+14155550132", undefined)).toEqual(want);
    expect(dialableFromHref("callto://+14155550132", undefined)).toEqual(want);
    expect(dialableFromHref("callto:4155550132", "US")).toEqual(want);
    expect(dialableFromHref("callto:jane.doe", "US")).toBeNull();
  });

  it("reads sip: and sips: URIs", () => {
    const sip = (target: string, e164: string | null = null) => ({ target, e164, display: target });
    expect(dialableFromHref("sip:alice@example.com", undefined)).toEqual(sip("sip:alice@example.com"));
    expect(dialableFromHref("SIP:alice@example.com", undefined)).toEqual(sip("sip:alice@example.com"));
    expect(dialableFromHref("sips:bob@pbx.example.com:5061;transport=tls", undefined)).toEqual(
      sip("sips:bob@pbx.example.com:5061;transport=tls"),
    );
    expect(dialableFromHref("sip:1001@192.0.2.10:5060", undefined)).toEqual(sip("sip:1001@192.0.2.10:5060"));
    expect(dialableFromHref("sip:alice@[2001:db8::1]", undefined)).toEqual(sip("sip:alice@[2001:db8::1]"));
    expect(dialableFromHref("sip:+14155550132@sip.example.com;user=phone", undefined)).toEqual(
      sip("sip:+14155550132@sip.example.com;user=phone", "+14155550132"),
    );
    expect(dialableFromHref("sip:first.last%40corp@example.com", undefined)).toEqual(
      sip("sip:first.last%40corp@example.com"),
    );
  });

  it("rejects everything else", () => {
    for (const href of [
      "",
      "tel:",
      "tel:abc",
      "tel:+1 415 555 013",
      "tel:911",
      "tel:*123#",
      "tel:+1415555O132",
      "tel:+14155550132?foo=bar",
      "tel:+14155550132;ext=<script>",
      "tel:%E0%A4%A",
      "tel:+1\u0000415 555 0132",
      "javascript:alert(1)",
      "javascript:tel:+14155550132",
      "http://example.com/tel:+14155550132",
      "mailto:alice@example.com",
      "sms:+14155550132",
      "sip:",
      "sip:alice",
      "sip:@example.com",
      "sip:alice@",
      "sip:alice @example.com",
      "sip:alice@exa mple.com",
      'sip:"alice"@example.com',
      "sip:ali'ce@example.com",
      "sip:<alice@example.com>",
      "sip:alice@example.com>",
      "sip:alice:secret@example.com",
      "sip:alice@example.com?subject=hi",
      "sip:alice@example.com:99999",
      "sip:alice@-bad-.example.com",
      "sip:alice@example.com\njavascript:alert(1)",
      "sip:alice@example.com;x=\u202Eevil",
      "sip:alice%20smith@example.com",
      "sip:%3Cscript%3E@example.com",
      "sip:alice@example.com;x=%22",
      "sip:alice%zz@example.com",
      `sip:${"a".repeat(3000)}@example.com`,
      `tel:+${"1".repeat(3000)}`,
    ]) {
      expect(dialableFromHref(href, "US"), href).toBeNull();
    }
    // A national number needs a region to be read with.
    expect(dialableFromHref("tel:4155550132", undefined)).toBeNull();
  });
});

describe("dialableFromText", () => {
  const want = { target: "+14155550132", e164: "+14155550132", display: "+1 415 555 0132" };

  it("reads one number with a label and punctuation around it", () => {
    for (const text of [
      "+1 (415) 555-0132",
      "4155550132",
      "  (415) 555-0132\n",
      "Call: +1 (415) 555-0132.",
      "Phone – 415.555.0132!",
      "“+1 415 555 0132”",
      "Tel.: +1 415 555 0132 ext. 12",
      "\u2068+1 415 555 0132\u2069",
      "tel:+1-415-555-0132",
      "tel:+1-415-555-0132;ext=12",
    ]) {
      expect(dialableFromText(text, "US"), text).toEqual(want);
    }
    expect(dialableFromText("Mobil: 0171 1234567", "DE")).toEqual({
      target: "+491711234567",
      e164: "+491711234567",
      display: "+49 171 1234567",
    });
  });

  it("reads one SIP URI", () => {
    const sip = { target: "sip:alice@example.com", e164: null, display: "sip:alice@example.com" };
    expect(dialableFromText("sip:alice@example.com", "US")).toEqual(sip);
    expect(dialableFromText("Call me: <sip:alice@example.com>.", "US")).toEqual(sip);
  });

  it("rejects anything that is not exactly one thing to dial", () => {
    for (const text of [
      "",
      "Proposal",
      "2024-05-01",
      "$12,500.00",
      "(415) 555-0132 or (415) 555-0133",
      "sip:alice@example.com sip:bob@example.com",
      "sip:alice@example.com or +1 415 555 0132",
      "Meeting on May 3 with Jane, her number is +1 415 555 0132",
      "A long note that mentions a number somewhere in the middle: +1 415 555 0132, and goes on",
      "\u202E+1 415 555 0132",
      "sip:alice @example.com",
      "tel:abc",
      `+1 415 555 0132${" ".repeat(300)}`,
      "+1 415 555 0132 ".repeat(65536),
    ]) {
      expect(dialableFromText(text, "US"), text.slice(0, 60)).toBeNull();
    }
  });
});

describe("formatNumber", () => {
  it("formats E.164 numbers internationally", () => {
    expect(formatNumber("+14155550132")).toBe("+1 415 555 0132");
    expect(formatNumber("+442079460018")).toBe("+44 20 7946 0018");
    expect(formatNumber("+493023125123")).toBe("+49 30 23125123");
    expect(formatNumber("+81312345678")).toBe("+81 3 1234 5678");
  });

  it("leaves anything else as it is", () => {
    expect(formatNumber("sip:alice@example.com")).toBe("sip:alice@example.com");
    expect(formatNumber("")).toBe("");
  });
});

describe("isPhoneFieldLabel", () => {
  it("recognises phone fields in several languages and spellings", () => {
    for (const label of [
      "phone",
      "Phone number",
      "PHONE_NUMBER",
      "phoneNumber",
      "phonenumber",
      "mobilePhone",
      "mobile_phone",
      "contact[phone]",
      "billing-phone",
      "phone2",
      "tel",
      "tel-national",
      "telNumber",
      "Telephone:",
      "Cell",
      "cellPhone",
      "Fax",
      "Fax number",
      "Enter your phone number",
      "Telefon",
      "Telefonnummer",
      "Handy",
      "Handynummer",
      "Mobil",
      "Mobilnummer",
      "Mobiltelefon",
      "Geschäftstelefon",
      "Rufnummer",
      "Téléphone",
      "N° de téléphone",
      "Portable",
      "Teléfono",
      "Teléfono móvil",
      "Móvil",
      "Celular",
      "Número de celular",
      "Telefone",
      "Telemóvel",
      "Numero di telefono",
      "Cellulare",
      "Telefoonnummer",
      "Mobiel nummer",
      "GSM",
      "电话",
      "手机号码",
      "联系电话",
      "電話番号",
      "携帯電話",
      "手機",
      "Phone (with country code)",
      "Phone number incl. country code",
      "Telefon (mit Vorwahl)",
      "Mobile phone, e.g. +49 171 1234567",
      "电话号码（含区号）",
    ]) {
      expect(isPhoneFieldLabel(label), label).toBe(true);
    }
  });

  it("rejects other fields and words that merely contain a phone word", () => {
    for (const label of [
      "",
      "email",
      "Name",
      "telemetry",
      "hotel",
      "Hotel name",
      "intelligence",
      "Intel",
      "cellar",
      "Excellent",
      "phonetic spelling",
      "Telegram",
      "telecom provider",
      "Stelle",
      "Postcode",
      "Company",
      "Mobility",
      "tel-country-code",
      "tel-extension",
      "tel-area-code",
      "Phone extension",
      "Country code",
      "Phone type",
      "Vorwahl",
      "区号",
      "電話番号 内線",
      "Country code (phone)",
      "tel-local-suffix",
      "phone ".repeat(100),
    ]) {
      expect(isPhoneFieldLabel(label), label).toBe(false);
    }
  });
});

describe("defaultRegion", () => {
  it("prefers a valid two-letter setting", () => {
    expect(defaultRegion("DE", ["en-US"])).toBe("DE");
    expect(defaultRegion("gb", [])).toBe("GB");
    expect(defaultRegion(" fr ", [])).toBe("FR");
  });

  it("falls back to the first browser language that names a region", () => {
    expect(defaultRegion(null, ["en-GB", "en-US"])).toBe("GB");
    expect(defaultRegion(undefined, ["de", "en-US"])).toBe("US");
    expect(defaultRegion("", ["zh-CN"])).toBe("CN");
    expect(defaultRegion("XX", ["zh-Hant-TW"])).toBe("TW");
    expect(defaultRegion("auto", ["sr-Latn-RS"])).toBe("RS");
    expect(defaultRegion("USA", ["en_AU"])).toBe("AU");
    expect(defaultRegion(null, ["es-419", "es-MX"])).toBe("MX");
    expect(defaultRegion(null, ["de-DE-u-co-phonebk"])).toBe("DE");
  });

  it("is undefined when nothing names a region", () => {
    expect(defaultRegion(null, [])).toBeUndefined();
    expect(defaultRegion(undefined, ["de", "fr", "ja"])).toBeUndefined();
    expect(defaultRegion("ZZ", ["en"])).toBeUndefined();
    expect(defaultRegion(null, ["en-x-gb", "x-private", "i-klingon"])).toBeUndefined();
  });
});

describe("a number as the page shows it", () => {
  it("is the text's own characters, without invisible ones or doubled spaces", () => {
    const text = "Call (415)  555\u200B-0133 today";
    const [number] = findNumbersInText(text, "US");
    expect(number?.e164).toBe("+14155550133");
    expect(shownNumber(text, number!)).toBe("(415) 555-0133");
    const intl = "Direct: +44 20 7946 0001";
    const [uk] = findNumbersInText(intl, "US");
    expect(shownNumber(intl, uk!)).toBe("+44 20 7946 0001");
  });
});
