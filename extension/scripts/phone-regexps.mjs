// libphonenumber's whole-match test as the bundles load it: the same test, but each
// pattern's expression is compiled once and kept. The package builds a new RegExp from a
// metadata pattern on every call ("^(?:" + pattern + ")$"); validating one number runs it
// for every number type of its country, and the engine hashes the long concatenated
// source each time to find its compiled code. Measured in Node on 1,000 numbers, that
// construction was nearly half of parsing, validating and formatting them. The patterns
// come from the metadata, so the cache holds at most one expression per pattern of the
// countries a page's numbers belong to.

/** The package's module files (its ES and CommonJS builds) that the bundles replace. */
export const MATCHES_ENTIRELY_FILTER = /libphonenumber-js[\\/](?:es6|build)[\\/]helpers[\\/]matchesEntirely\.js$/;

/** The source of an ES module that stands in for `helpers/matchesEntirely.js`. */
export function matchesEntirelyModule() {
  return `const compiled = new Map();
export default function matchesEntirely(text, regularExpressionText) {
  text = text || "";
  let expression = compiled.get(regularExpressionText);
  if (expression === undefined) {
    expression = new RegExp("^(?:" + regularExpressionText + ")$");
    compiled.set(regularExpressionText, expression);
  }
  return expression.test(text);
}
`;
}
