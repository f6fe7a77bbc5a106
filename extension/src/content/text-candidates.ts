// The texts of a page that may hold a phone number, found by the browser's XPath engine
// rather than by a walk over every text in script. A walk gives every text node of the
// page a script object, which the page then keeps as long as it keeps the node (0.6 MiB
// on a table of 35,000 texts) and costs time to make; XPath tests the texts natively and
// hands script only the few it matched. Its test is looser than the cheap test of
// `shared/phone/prefilter.ts` (digits in a row once the separators are dropped), so it
// never misses a text that test keeps; the caller runs that test on what it gets.

import type { CountryCode } from "libphonenumber-js";
import { DIGIT, INVISIBLE, PUNCT } from "../shared/phone/patterns";
import { digitsWithoutPlus } from "../shared/phone/text-search";

/** The characters of a regular-expression class body as written in patterns.ts. */
function expandClass(body: string): string {
  const codes: number[] = [];
  let i = 0;
  const next = (): number => {
    if (body[i] === "\\") {
      if (body[i + 1] === "u") {
        const code = parseInt(body.slice(i + 2, i + 6), 16);
        i += 6;
        return code;
      }
      i += 2;
      return body.charCodeAt(i - 1);
    }
    i += 1;
    return body.charCodeAt(i - 1);
  };
  while (i < body.length) {
    const from = next();
    if (body[i] === "-" && i + 1 < body.length) {
      i += 1;
      const to = next();
      for (let code = from; code <= to; code += 1) codes.push(code);
    } else codes.push(from);
  }
  return String.fromCharCode(...codes);
}

let translated: string | undefined;

/** The text with every digit read as "0" and every separator or invisible character dropped. */
function digitsInARow(): string {
  if (translated === undefined) {
    const digits = expandClass(DIGIT);
    const dropped = expandClass(PUNCT + INVISIBLE).replace(/["0-9]/g, "");
    translated = `translate(., "${digits}${dropped}", "${"0".repeat(digits.length)}")`;
  }
  return translated;
}

const predicates = new Map<string, string>();

/**
 * The XPath test for a text that may hold a number of `region`: six digits in a row and
 * a plus, or as many digits in a row as the region's shortest number (the two ways
 * `findNumbersInText` lets a text through to its search).
 */
export function candidateTest(region: CountryCode | undefined): string {
  const key = region ?? "";
  let test = predicates.get(key);
  if (!test) {
    const row = digitsInARow();
    const withPlus = `((contains(., "+") or contains(., "\uFF0B")) and contains(${row}, "000000"))`;
    const needed = region ? digitsWithoutPlus(region) : null;
    test = needed === null ? withPlus : `(contains(${row}, "${"0".repeat(needed)}") or ${withPlus})`;
    predicates.set(key, test);
  }
  return test;
}

/** Elements under which a subtree is read in one evaluation (a few milliseconds at most). */
const SMALL = 2_000;
/** Child nodes read per evaluation when an element holds a big subtree directly (a table body's rows). */
const GROUP_NODES = 256;
/** Children above which a big element's children are read in groups rather than one by one. */
const MANY = 32;

/**
 * The candidate texts under `root` (an element or a document), in document order, a
 * part of the tree at a time: a small subtree in one evaluation; a big one by its
 * children, and an element with many children (a table body, a long list) a group of
 * children at a time, so no single evaluation holds the main thread for long. When the
 * page removes the part being read, the reading starts again from `root` (the caller's
 * scan is idempotent).
 */
export function* candidateTexts(root: Element | Document, test: string): Generator<Text[], void, void> {
  const doc = root.ownerDocument ?? (root as Document);
  const select = (context: Node, path: string): Text[] => {
    const found = doc.evaluate(path, context, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    const texts: Text[] = new Array<Text>(found.snapshotLength);
    for (let i = 0; i < texts.length; i += 1) texts[i] = found.snapshotItem(i) as Text;
    return texts;
  };
  const size = (node: Node): number =>
    doc.evaluate("count(descendant::*)", node, null, XPathResult.NUMBER_TYPE, null).numberValue;
  const all = `descendant::text()[${test}]`;
  /** Yields the texts under `node`; false when the page took `node` away meanwhile. */
  function* visit(node: Element | Document): Generator<Text[], boolean, void> {
    if (size(node) <= SMALL) {
      yield select(node, all);
      return true;
    }
    if (node.childElementCount > MANY) {
      const count = node.childNodes.length;
      for (let from = 0; from < count; from += GROUP_NODES) {
        yield select(node, `node()[position() > ${from} and position() <= ${from + GROUP_NODES}]/descendant-or-self::text()[${test}]`);
        if (!node.isConnected && node !== root) return false;
      }
      return true;
    }
    let loose: Text[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === Node.ELEMENT_NODE) {
        if (loose.length > 0) yield loose;
        loose = [];
        if (!(yield* visit(child as Element)) || child.parentNode !== node) return false;
      } else if (child.nodeType === Node.TEXT_NODE || child.nodeType === Node.CDATA_SECTION_NODE) {
        loose.push(child as Text);
      }
    }
    if (loose.length > 0) yield loose;
    return true;
  }
  for (let tries = 0; tries < 3; tries += 1) if (yield* visit(root)) return;
  yield select(root, all); // a page that keeps changing: read whole
}
