// The metadata the bundles load (scripts/lazy-metadata.mjs) holds the same data as the
// package's own and reads numbers the same way, though it parses each country on demand.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parsePhoneNumberFromString, searchPhoneNumbersInText, Metadata } from "libphonenumber-js/core";
import { lazyMetadataModule } from "../scripts/lazy-metadata.mjs";

const require = createRequire(import.meta.url);
const original = JSON.parse(readFileSync(require.resolve("libphonenumber-js/metadata.max.json"), "utf8"));

async function loadLazy() {
  const source = lazyMetadataModule(original);
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  return module.default;
}

describe("lazy phone metadata", () => {
  it("parses no country until one is asked for, then gives what the package has", async () => {
    const lazy = await loadLazy();
    expect(Object.keys(lazy.countries)).toEqual(Object.keys(original.countries));
    expect(lazy.country_calling_codes).toEqual(original.country_calling_codes);
    expect(lazy.nonGeographic).toEqual(original.nonGeographic);
    expect(lazy.version).toBe(original.version);
    expect(lazy.countries.hasOwnProperty("US")).toBe(true);
    expect(lazy.countries.hasOwnProperty("XX")).toBe(false);
    expect(lazy.countries.XX).toBeUndefined();
    for (const code of Object.keys(original.countries)) {
      expect(lazy.countries[code]).toEqual(original.countries[code]);
      expect(lazy.countries[code]).toBe(lazy.countries[code]); // parsed once
    }
  });

  it("reads and finds numbers as the package's metadata does", async () => {
    const lazy = await loadLazy();
    const texts = ["+1 415 555 0132", "+44 20 7946 0123", "030 901820", "+49 30 901820", "+7 495 123-45-67"];
    for (const text of texts) {
      const a = parsePhoneNumberFromString(text, "DE", lazy);
      const b = parsePhoneNumberFromString(text, "DE", original);
      expect(a?.number).toBe(b?.number);
      expect(a?.isValid()).toBe(b?.isValid());
      expect(a?.getType()).toBe(b?.getType());
      expect(a?.formatInternational()).toBe(b?.formatInternational());
    }
    const text = "Call +1 415 555 0132 or (212) 555-0100, not 2026-12-31";
    const found = (metadata) => [...searchPhoneNumbersInText(text, { defaultCountry: "US" }, metadata)].map((m) => m.number.number);
    expect(found(lazy)).toEqual(found(original));
    expect(found(lazy)).toEqual(["+14155550132", "+12125550100"]);
    expect(new Metadata(lazy).selectNumberingPlan("GB").numberingPlan.possibleLengths()).toEqual(
      new Metadata(original).selectNumberingPlan("GB").numberingPlan.possibleLengths(),
    );
  });
});
