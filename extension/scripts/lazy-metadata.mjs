// libphonenumber's metadata as the bundles load it: the same data, but each country's
// part is parsed only when a number of that country is first read. Built at bundle time
// from the package's own JSON, so it follows the installed version. Parsed whole, the
// "max" metadata holds 0.3 MiB of a page's heap for as long as the page is open; a page
// of numbers from two countries needs about 1 % of it. Each country's text sits in a
// function of its own, which the engine compiles (and so keeps the text) only when called.

/** The source of an ES module whose default export stands in for `metadata` (the parsed JSON). */
export function lazyMetadataModule(metadata) {
  const countries = Object.entries(metadata.countries)
    .map(([code, data]) => `  ${JSON.stringify(code)}: () => JSON.parse(${JSON.stringify(JSON.stringify(data))}),`)
    .join("\n");
  const rest = { ...metadata };
  delete rest.countries;
  return `const sources = {
${countries}
};
const parsed = Object.create(null);
const has = Object.prototype.hasOwnProperty;
const countries = new Proxy(sources, {
  get(target, key, receiver) {
    if (typeof key !== "string" || !has.call(target, key)) return Reflect.get(target, key, receiver);
    let country = parsed[key];
    if (country === undefined) parsed[key] = country = target[key]();
    return country;
  },
});
const rest = ${JSON.stringify(rest)};
export default { ...rest, countries };
`;
}
