// libphonenumber as the bundles load it: the same code, but the whole-match test it runs
// on metadata patterns compiles each pattern once and keeps it. The package makes a new
// RegExp on every call (one per number type when a number is validated, more when it is
// parsed and formatted), and the engine hashes the concatenated source each time to find
// its compiled code. Measured in Node on 1,000 numbers, that was nearly half of parsing,
// validating and formatting them. The package builds a few other expressions per call
// (a format's pattern, the separators, the prefixes); compiling those once too made no
// difference to a page's first scan, so they are left as they are.
//
// Each edit names the exact text it replaces in the package's ES build: an edit that no
// longer finds its text fails the build, so a new version of the package is looked at
// rather than silently left slow. The cache holds at most one expression per pattern of
// the countries a page's numbers belong to.

import { readFileSync } from "node:fs";
import { dirname } from "node:path";

/** The module the edited files import their cache from (provided by the plugin). */
export const REGEXP_CACHE_ID = "rolecall:phone-regexp-cache";

/** The cache: `compiled(pattern, before, after, flags)` is `new RegExp(before + pattern + after, flags)`, made once. */
export const REGEXP_CACHE_SOURCE = `const shapes = new Map();
export function compiled(pattern, before = "", after = "", flags = "") {
  const shape = before + "\\u0000" + after + "\\u0000" + flags;
  let byPattern = shapes.get(shape);
  if (byPattern === undefined) {
    byPattern = new Map();
    shapes.set(shape, byPattern);
  }
  let expression = byPattern.get(pattern);
  if (expression === undefined) {
    expression = new RegExp(before + pattern + after, flags);
    byPattern.set(pattern, expression);
  }
  return expression;
}
`;

/**
 * The edits, by the file's path in the package. The expression replaced is used with
 * `test` only, without the global flag: a kept expression carries no state between calls.
 */
export const PHONE_REGEXP_EDITS = {
  "es6/helpers/matchesEntirely.js": [
    ["new RegExp('^(?:' + regularExpressionText + ')$')", "compiled(regularExpressionText, '^(?:', ')$')"],
  ],
};

/** The files of the package the edits concern (the path inside the package, or null). */
export function editedFile(path) {
  const normalised = path.replace(/\\/g, "/");
  const at = normalised.lastIndexOf("/libphonenumber-js/");
  if (at < 0) return null;
  const inside = normalised.slice(at + "/libphonenumber-js/".length);
  return Object.prototype.hasOwnProperty.call(PHONE_REGEXP_EDITS, inside) ? inside : null;
}

/** `source` (the package's file `file`) with its edits made; throws when one no longer applies. */
export function editSource(file, source) {
  let edited = source;
  for (const [from, to] of PHONE_REGEXP_EDITS[file]) {
    const count = edited.split(from).length - 1;
    if (count !== 1) throw new Error(`libphonenumber-js/${file}: expected "${from}" once, found it ${count} times`);
    edited = edited.replace(from, () => to);
  }
  return `import { compiled } from ${JSON.stringify(REGEXP_CACHE_ID)};\n${edited}`;
}

/** The esbuild plugin making the edits (and providing the cache module they import). */
export const phoneRegexpPlugin = {
  name: "phone-regexp-cache",
  setup(build) {
    build.onResolve({ filter: /^rolecall:phone-regexp-cache$/ }, () => ({ path: REGEXP_CACHE_ID, namespace: "phone-regexps" }));
    build.onLoad({ filter: /.*/, namespace: "phone-regexps" }, () => ({ contents: REGEXP_CACHE_SOURCE, loader: "js" }));
    build.onLoad({ filter: /libphonenumber-js[\\/]es6[\\/].*\.js$/ }, (args) => {
      const file = editedFile(args.path);
      if (!file) return undefined;
      return { contents: editSource(file, readFileSync(args.path, "utf8")), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};
