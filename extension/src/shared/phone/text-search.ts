/**
 * Phone numbers in page text: where the numbers are in a text node, found with
 * libphonenumber and then filtered by the rules in rules.ts.
 *
 * Parsing and validation come from libphonenumber-js with the "max" metadata,
 * which checks a number against its country's full number-range patterns;
 * "min" checks only the length. Measured on the test corpus (308 numbers,
 * 196 look-alikes such as dates, amounts and ids): libphonenumber alone finds
 * a false number in 33 look-alikes with "max" and 45 with "min" when each is
 * scanned with its own region (220 vs 375 scans over 12 regions); with the
 * rules of rules.ts, "max" finds none either way, "min" 1 and 14 ("1.234.567" or
 * "10115" pass as German numbers on length alone). Both find all 308 numbers.
 * "max" costs about 75 KB more in the minified bundle (230 KB vs 156 KB for
 * this module) and about a quarter more time per searched text, which
 * matters little since few texts reach the parser (see mayHoldNumber).
 *
 * Validity alone still accepts many digit strings that are not phone numbers
 * (every 10-digit run with a real US area code is "valid"), so each match is
 * checked against its surroundings by the rules in rules.ts.
 *
 * Invisible characters (zero-width space, joiners, soft hyphen, word joiner,
 * BOM, bidi marks) are dropped before searching, so the search sees the
 * number as it is displayed: "+1 415 555 0132\u200B9" shows as 01329 and is
 * not a number, "415\u200B555\u200B0132" shows as 4155550132 and is (more
 * than two in a row inside a number is taken as obfuscation: not found).
 * Typographic spaces (thin, narrow no-break...) count as plain spaces; tabs
 * and line breaks end a number. A lone comma also ends one: libphonenumber
 * would otherwise read "415-555-0178, 415" as a number with an extension
 * dialled after a pause. Offsets returned are into the original text.
 *
 * Work per text is bounded, so that a hostile or huge text node (a megabyte
 * of digit groups) costs milliseconds, not seconds: the search gives up after
 * 300 failed candidates and stops after 500 numbers. Results for short texts
 * are remembered, since pages re-render the same rows and get scanned again.
 *
 * Numbers written with an international prefix other than "+" ("00 49 ...",
 * "011 49 ...") need a region that uses that prefix; without a region only
 * "+" numbers are found.
 */

import {
  Metadata,
  parsePhoneNumberFromString,
  searchPhoneNumbersInText,
  type CountryCode,
  type NumberFound,
} from "libphonenumber-js/max";
import { BIDI_CONTROL_RE, BIDI_SCOPE_RE, rtlMask } from "./bidi";
import { originalIndex, visibleView } from "./display-text";
import { D, GAP, INVISIBLE } from "./patterns";
import { mayHoldNumber } from "./prefilter";
import { acceptMatch, commaAfter, commaBefore } from "./rules";
import type { FoundNumber } from "./types";

const LONE_COMMA_RE = /(?<!,),(?!,)/g;

/**
 * Work limits for one text (see the top of the module): libphonenumber gives
 * up after this many failed candidates, and the search stops after this many
 * numbers. Real text nodes come nowhere near either.
 */
const MAX_FAILED_TRIES = 300;
const MAX_MATCHES = 500;

type SearchOptions = Exclude<Parameters<typeof searchPhoneNumbersInText>[1], string | undefined> & {
  maxTries: number;
};

function search(text: string, region: CountryCode | undefined): NumberFound[] {
  const options: SearchOptions = { maxTries: MAX_FAILED_TRIES };
  if (region) options.defaultCountry = region;
  const matches: NumberFound[] = [];
  for (const match of searchPhoneNumbersInText(text, options)) {
    matches.push(match);
    if (matches.length >= MAX_MATCHES) break;
  }
  return matches;
}

/**
 * A text that is one international number and nothing else ("+44 20 7946 0123", as
 * a CRM's phone column holds): a plus, then digits with single spaces, hyphens or dots
 * between them. Its first group is captured to find where the number starts.
 */
const LONE_NUMBER_RE = /^\s*(\+\d[\d \-.]{5,22}\d)\s*$/;

/**
 * The text read whole as one number, when it is one: parsing it costs a fraction of a
 * search (measured: about a quarter). A text that does not parse as a valid number
 * whole is searched as any other, so this finds nothing the search would not.
 */
function loneNumber(text: string): NumberFound[] | null {
  const lone = LONE_NUMBER_RE.exec(text);
  if (!lone) return null;
  const candidate = lone[1]!;
  if (/[ \-.]{2}/.test(candidate)) return null; // doubled separators: left to the search
  const number = parsePhoneNumberFromString(candidate, { extract: false }); // the whole candidate, not a number inside it
  if (!number?.isValid()) return null;
  const startsAt = text.indexOf(candidate);
  return [{ number, startsAt, endsAt: startsAt + candidate.length }];
}

/**
 * Phone numbers in free text, in order and non-overlapping, validated against
 * the full metadata; numbers without an international prefix are read as
 * numbers of `region`.
 */
export function findNumbersInText(text: string, region: CountryCode | undefined): FoundNumber[] {
  if (!mayHoldNumber(text) || !longEnough(text, region)) return [];
  if (text.length > MAX_CACHED_TEXT) return searchText(text, region);
  const key = region ?? "";
  let cache = recent.get(key);
  if (!cache) {
    cache = new Map();
    recent.set(key, cache);
  }
  let packed = cache.get(text);
  if (packed !== undefined) {
    cache.delete(text); // most recently used last
  } else {
    packed = pack(searchText(text, region), text.length);
  }
  cache.set(text, packed);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return unpack(packed, text.length);
}

/**
 * A result as one string ("start,end,+14155550132", ";" between numbers, "" for none):
 * a thousand results kept as arrays of objects cost three times the memory. A text that
 * is one number and nothing else (a phone column's cell) keeps only the number
 * ("+14155550132"): the same string its button then holds as its target.
 */
function pack(found: FoundNumber[], length: number): string {
  const only = found.length === 1 ? found[0]! : undefined;
  if (only && only.start === 0 && only.end === length) return only.e164;
  return found.map((n) => `${n.start},${n.end},${n.e164}`).join(";");
}

function unpack(packed: string, length: number): FoundNumber[] {
  if (packed === "") return [];
  if (packed.startsWith("+")) return [{ start: 0, end: length, e164: packed }];
  return packed.split(";").map((part) => {
    const [start, end, e164] = part.split(",");
    return { start: Number(start), end: Number(end), e164: e164! };
  });
}

const PLUS_RE = /[+\uFF0B]/;
const chains = new Map<CountryCode, RegExp>();

/**
 * A second cheap test, for the region: a number written without a plus is a number of
 * `region` (or one dialled from it, with more digits still), so it has at least as
 * many digits, chained as the prefilter chains them, as the region's shortest number
 * (ten in North America). Without a region only numbers with a plus are found. Rules
 * out ids and counts ("Deal 100000") before they reach the search.
 */
function longEnough(text: string, region: CountryCode | undefined): boolean {
  if (PLUS_RE.test(text)) return true;
  if (!region) return false;
  let chain = chains.get(region);
  if (!chain) {
    chain = new RegExp(`${D}(?:${GAP}${D}){${shortestNumber(region) - 1}}`, "u");
    chains.set(region, chain);
  }
  return chain.test(text);
}

/** The fewest digits of a number of `region` without its country code (six when unknown). */
function shortestNumber(region: CountryCode): number {
  try {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(region);
    const lengths = metadata.numberingPlan?.possibleLengths() ?? [];
    return lengths.length > 0 ? Math.max(6, Math.min(...lengths)) : 6;
  } catch {
    return 6;
  }
}

/**
 * Recent results: pages re-render the same rows and the content script scans
 * them again, and a search costs far more than a lookup.
 */
const recent = new Map<string, Map<string, string>>(); // by region, then by text
const MAX_CACHED = 4096;
const MAX_CACHED_TEXT = 1024;

/**
 * A number as the page writes it, for a button's name ("Call (415) 555-0132"): the text's
 * own characters, with invisible ones dropped and runs of spaces made one. Reading a
 * page's thousand numbers does not format any of them.
 */
export function shownNumber(text: string, found: FoundNumber): string {
  return text.slice(found.start, found.end).replace(INVISIBLE_RE, "").replace(/\s+/g, " ").trim();
}

const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]`, "g");

function searchText(text: string, region: CountryCode | undefined): FoundNumber[] {
  const view = visibleView(text);
  // A lone comma ends a number (see the top of the module); two commas, the
  // dialling pause, are kept.
  const searched = view.text.includes(",") ? view.text.replace(LONE_COMMA_RE, "|") : view.text;
  let matches: NumberFound[];
  try {
    matches = loneNumber(searched) ?? search(searched, region);
  } catch {
    return [];
  }
  if (matches.length === 0) return [];
  const accepted = matches.map((m) => acceptMatch(view.text, m.startsAt, m.endsAt, m.number));
  // A comma with a digit on its far side makes the match part of a larger
  // number ("5.088.322,16"), unless the digits there belong to another number
  // that is kept ("415-555-0178,415-555-0179").
  const keptNeighbour = (i: number, at: number, before: boolean): boolean => {
    const j = before ? i - 1 : i + 1;
    const other = matches[j];
    return other !== undefined && accepted[j] === true && (before ? other.endsAt === at : other.startsAt === at);
  };
  const rtl = BIDI_SCOPE_RE.test(text) ? rtlMask(text) : null;
  const found: FoundNumber[] = [];
  matches.forEach((m, i) => {
    if (!accepted[i]) return;
    if (commaBefore(view.text, m.startsAt) && !keptNeighbour(i, m.startsAt - 1, true)) return;
    if (commaAfter(view.text, m.endsAt) && !keptNeighbour(i, m.endsAt + 1, false)) return;
    const start = originalIndex(view, m.startsAt);
    const end = originalIndex(view, m.endsAt - 1) + 1;
    // Rule 9.
    if (view.dropped && BIDI_CONTROL_RE.test(text.slice(start, end))) return;
    if (rtl && rtl.subarray(start, end).includes(1)) return;
    found.push({ start, end, e164: m.number.number });
  });
  return found;
}
