// libphonenumber as the bundles load it (scripts/phone-regexps.mjs): each edit still finds
// its text in the installed package, the cache gives what `new RegExp` gives, and a bundle
// built with the plugin parses, validates, formats and finds numbers as the package does.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import {
  parsePhoneNumberFromString,
  findNumbers,
  getCountries,
  getExampleNumber,
  isValidPhoneNumber,
} from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";
import {
  PHONE_REGEXP_EDITS,
  REGEXP_CACHE_SOURCE,
  editSource,
  editedFile,
  phoneRegexpPlugin,
} from "../scripts/phone-regexps.mjs";

const require = createRequire(import.meta.url);
const PACKAGE = dirname(require.resolve("libphonenumber-js"));

async function importSource(source) {
  return import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
}

/** Texts to read: every country's example number, written three ways, and some look-alikes. */
function samples() {
  const texts = [];
  for (const country of getCountries()) {
    const example = getExampleNumber(country, examples);
    if (!example) continue;
    texts.push([example.number, undefined], [example.formatNational(), country], [example.formatInternational(), undefined]);
  }
  texts.push(["2024-05-01", "US"], ["$12,500.00", "US"], ["+1 415 555 0132 x12", undefined], ["0049 30 901820", "DE"]);
  return texts;
}

function readAll(api, texts) {
  return texts.map(([text, country]) => {
    const number = api.parsePhoneNumberFromString(text, country);
    const found = api.findNumbers(`Call ${text} now`, { defaultCountry: country, v2: true });
    return [
      number?.number ?? null,
      number?.isValid() ?? null,
      number?.getType() ?? null,
      number?.formatInternational() ?? null,
      number?.formatNational() ?? null,
      number?.country ?? null,
      api.isValidPhoneNumber(text, country),
      found.map((f) => `${f.startsAt}-${f.endsAt}:${f.number.number}`).join(","),
    ];
  });
}

describe("libphonenumber with its expressions compiled once", () => {
  it("finds each edit's text once in the installed package", () => {
    for (const file of Object.keys(PHONE_REGEXP_EDITS)) {
      const path = join(PACKAGE, file);
      expect(editedFile(path)).toBe(file);
      const edited = editSource(file, readFileSync(path, "utf8"));
      for (const [from, to] of PHONE_REGEXP_EDITS[file]) {
        expect(edited).not.toContain(from);
        expect(edited).toContain(to);
      }
    }
    expect(editedFile(join(PACKAGE, "es6/helpers/parseDigits.js"))).toBeNull();
    expect(() => editSource("es6/helpers/matchesEntirely.js", "nothing to edit")).toThrow(/expected/);
  });

  it("gives the expression new RegExp gives, once per pattern and shape", async () => {
    const { compiled } = await importSource(REGEXP_CACHE_SOURCE);
    const a = compiled("\\d{3}", "^(?:", ")$");
    expect(a.source).toBe(new RegExp("^(?:\\d{3})$").source);
    expect(a.flags).toBe("");
    expect(compiled("\\d{3}", "^(?:", ")$")).toBe(a);
    expect(compiled("\\d{3}")).not.toBe(a);
    expect(compiled("\\d{3}").source).toBe("\\d{3}");
    const global = compiled("-", "[", "]+", "g");
    expect(global.flags).toBe("g");
    expect("1-2--3".replace(global, " ")).toBe("1 2 3");
    expect("4-5".replace(global, " ")).toBe("4 5"); // no state kept from the last use
  });

  it("reads numbers in a bundle as the package does", async () => {
    const bundled = await build({
      stdin: {
        contents:
          'export { parsePhoneNumberFromString, findNumbers, isValidPhoneNumber } from "libphonenumber-js/max";',
        resolveDir: join(import.meta.dirname, ".."),
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      write: false,
      plugins: [phoneRegexpPlugin],
    });
    const source = bundled.outputFiles[0].text;
    expect(source.match(/\bcompiled\d*\(/g)?.length ?? 0).toBeGreaterThanOrEqual(Object.keys(PHONE_REGEXP_EDITS).length);
    const api = await importSource(source);
    const texts = samples();
    expect(texts.length).toBeGreaterThan(600);
    const reference = readAll({ parsePhoneNumberFromString, findNumbers, isValidPhoneNumber }, texts);
    expect(readAll(api, texts)).toEqual(reference);
    expect(readAll(api, texts)).toEqual(reference); // and again, from the cache
  });
});
