// The whole-match test the bundles load (scripts/phone-regexps.mjs) answers as the
// package's own does, for every pattern of the metadata, and compiles each pattern once.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchesEntirelyModule, MATCHES_ENTIRELY_FILTER } from "../scripts/phone-regexps.mjs";

const require = createRequire(import.meta.url);
/** The package's own module file (not among its exports: found beside its entry point). */
const ORIGINAL_PATH = join(dirname(require.resolve("libphonenumber-js")), "es6", "helpers", "matchesEntirely.js");
const original = (await import(`data:text/javascript;base64,${readFileSync(ORIGINAL_PATH).toString("base64")}`)).default;
const metadata = JSON.parse(readFileSync(require.resolve("libphonenumber-js/metadata.max.json"), "utf8"));

async function loadCached() {
  const source = matchesEntirelyModule();
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  return module.default;
}

/** Every pattern string of a country's metadata (the arrays hold them at known places). */
function patternsOf(country) {
  const found = [];
  const walk = (value) => {
    if (typeof value === "string" && /[\\[\]()|{}]/.test(value)) found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
  };
  walk(country);
  return found;
}

describe("the bundles' whole-match test", () => {
  it("answers as the package's for every pattern of every country, twice", async () => {
    const cached = await loadCached();
    const texts = ["", "2079460123", "4155550132", "30901820", "1", "0800123456", "99999999999999", "a1"];
    let checked = 0;
    for (const code of ["US", "GB", "DE", "FR", "IN", "BR", "JP", "RU", "AU", "ZA"]) {
      for (const pattern of patternsOf(metadata.countries[code])) {
        for (const text of texts) {
          expect(cached(text, pattern)).toBe(original(text, pattern));
          expect(cached(text, pattern)).toBe(original(text, pattern)); // from its cache
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(cached(undefined, "\\d+")).toBe(original(undefined, "\\d+"));
  });

  it("stands in for the module the package's parser imports", () => {
    const path = ORIGINAL_PATH;
    expect(MATCHES_ENTIRELY_FILTER.test(path)).toBe(true);
    expect(MATCHES_ENTIRELY_FILTER.test(path.replace("/es6/", "/build/"))).toBe(true);
    expect(MATCHES_ENTIRELY_FILTER.test(path.replace("matchesEntirely", "matchesEntirelyX"))).toBe(false);
  });
});
